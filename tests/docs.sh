#!/bin/sh
# The docs match the program (issue 16), read from the program at run time,
# so that an option or stage added later fails here until it is documented:
#  (a) every option of `mxbench --help` is in the man page: those of its
#      Options list as an entry (.TP tag) of OPTIONS, any other (usage
#      lines, descriptions) somewhere in the page; every command word (its
#      Commands list and usage lines) is in SYNOPSIS and has a COMMANDS entry;
#  (b) every stage of `mxbench --list` is named in the man page and in a
#      code span or block of README.md;
#  (c) each README command runs: every line of a ```sh block that starts
#      with `build/mxbench ` or `mxbench ` (continuation lines joined) runs
#      with `sh -e` in a scratch directory holding build/mxbench (also on
#      PATH), a copy of data/ and an empty man/, in README order, and must
#      exit 0 within 300 s. The copy's manifest.csv keeps two samples, so
#      that the --batch examples take seconds, not minutes. Lines whose
#      comment holds `[manual: REASON]` are not run: they need a terminal,
#      a server, ../shared, or a file of the reader's own;
#  (d) the README's table of export sizes is what `mxbench export` writes.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 missing"; exit 77; }
MX="$(cd "$top_builddir" && pwd)/mxbench"
SRC="$(cd "$top_srcdir" && pwd)"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
python3 - "$MX" "$SRC" "$tmp" <<'PY'
import os, re, shutil, subprocess, sys, time

mx, src, tmp = sys.argv[1:4]
fails = []


def bad(msg):
    fails.append(msg)
    print("FAIL: " + msg, flush=True)


def out(*args):
    r = subprocess.run([mx, *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit("FAIL: mxbench %s exits %d" % (" ".join(args), r.returncode))
    return r.stdout


OPT = r"(?<![\w-])--?[A-Za-z][\w-]*"


def has(text, word):
    """word as a whole token of text (not part of a longer option or name)"""
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def plain(roff):
    """man source as text: \\- is -, font and no-op escapes dropped"""
    s = roff.replace("\\-", "-").replace("\\&", "").replace("\\%", "")
    s = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", s)
    return s.replace('"', " ")


man_src = open(os.path.join(src, "man", "mxbench.1")).read()
man = plain(man_src)
sections, name = {}, None
for line in man_src.splitlines():
    if line.startswith(".SH"):
        name = line[3:].strip().strip('"')
        sections[name] = []
    elif name:
        sections[name].append(line)


def tags(section):
    """the entry tags of a man section: the line after each .TP"""
    lines = sections.get(section, [])
    return "\n".join(plain(lines[i + 1]) for i, l in enumerate(lines[:-1]) if l.startswith(".TP"))


synopsis = plain("\n".join(sections.get("SYNOPSIS", [])))

# --- (a) options and commands of --help -------------------------------------
help_text = out("--help")
blocks, name = {}, None
for line in help_text.splitlines():
    m = re.match(r"^(\w[\w ]*):\s*$", line)
    if m:
        name = m.group(1)
        blocks[name] = []
    elif name and line.strip():
        blocks[name].append(line)
    elif name:
        name = None
for need in ("Options", "Commands"):
    if need not in blocks:
        sys.exit("FAIL: --help has no '%s:' list; this test reads it" % need)

listed = set()
for line in blocks["Options"]:
    if re.match(r"^ {1,6}-", line):  # an entry, not a wrapped description
        head = re.split(r"\s{2,}", line.strip())[0]
        listed.update(re.findall(OPT, head))
opt_tags = tags("OPTIONS")
for o in sorted(listed):
    if not has(opt_tags, o):
        bad("option %s of --help has no entry in the man page's OPTIONS" % o)
every = set(re.findall(OPT, help_text))
for o in sorted(every - listed):
    if not has(man, o):
        bad("option %s, named in --help, is not in the man page" % o)

commands = set()
for line in blocks["Commands"]:
    if re.match(r"^  \S", line):
        head = re.sub(r"\(.*?\)", "", re.split(r"\s{2,}", line.strip())[0])
        commands.update(w.strip() for w in head.split(",") if w.strip())
usage = help_text.split("\n\n")[0]
commands.update(re.findall(r"(?:mxbench|\|)\s+(?:\[\w+\]\s+)?([a-z]+)\b", usage))
cmd_tags = tags("COMMANDS")
for c in sorted(commands):
    if not has(synopsis, c):
        bad("command %s of --help is not in the man page's SYNOPSIS" % c)
    if not has(cmd_tags, c):
        bad("command %s of --help has no entry in the man page's COMMANDS" % c)

# --- (b) stages of --list -----------------------------------------------------
readme = open(os.path.join(src, "README.md")).read()
code = "\n".join(re.findall(r"```.*?```", readme, re.S) + re.findall(r"`[^`\n]+`", readme))
stages = re.findall(r"^  (\S+)\s", out("--list"), re.M)
if len(stages) < 20:
    bad("--list gave only %d stages: %s" % (len(stages), stages))
for s in stages:
    if not has(man, s):
        bad("stage %s of --list is not in the man page" % s)
    if not has(code, s):
        bad("stage %s of --list is not in README.md (in a code span)" % s)

# --- (c) the README's commands run ------------------------------------------------
cmds, skipped = [], 0
for block in re.findall(r"^```sh\n(.*?)^```", readme, re.S | re.M):
    for line in re.sub(r"\\\n\s*", " ", block).splitlines():
        line = line.strip()
        if not re.match(r"(build/)?mxbench ", line):
            continue
        if "[manual:" in line:
            skipped += 1
            continue
        cmds.append(line)
if len(cmds) < 10:
    bad("only %d README commands found to run" % len(cmds))
os.makedirs(os.path.join(tmp, "build"))
os.makedirs(os.path.join(tmp, "bin"))
os.makedirs(os.path.join(tmp, "man"))
os.symlink(mx, os.path.join(tmp, "build", "mxbench"))
os.symlink(mx, os.path.join(tmp, "bin", "mxbench"))
shutil.copytree(os.path.join(src, "data"), os.path.join(tmp, "data"))
man_csv = os.path.join(tmp, "data", "manifest.csv")
rows = open(man_csv).read().splitlines(True)
open(man_csv, "w").write("".join(rows[:3]))
env = dict(os.environ, PATH=os.path.join(tmp, "bin") + os.pathsep + os.environ.get("PATH", ""))
for c in cmds:
    t0 = time.time()
    try:
        r = subprocess.run(["sh", "-ec", c], cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=300)
        rc, err = r.returncode, r.stderr.strip().splitlines()
    except subprocess.TimeoutExpired:
        rc, err = "timeout", []
    print("%-6s %5.1f s  %s" % (rc, time.time() - t0, c), flush=True)
    if rc != 0:
        bad("README command exits %s: %s%s" % (rc, c, (": " + err[-1]) if err else ""))

# --- (d) the README's table of export sizes is what export writes ---------------
sizes = 0
table = re.search(r"^\| pipeline \| bytes \|\n\|---\|---\|\n((?:\|.*\n)+)", readme, re.M)
if not table:
    bad("README.md has no '| pipeline | bytes |' table of export sizes")
for row in table.group(1).splitlines() if table else []:
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
    specs = [re.sub(r"\s*\(.*\)$", "", x).replace("\\|", "|") for x in cells[0].split(", ")]
    if cells[0].startswith("q8,q4"):  # one pipeline whose spec holds a comma
        specs = [re.sub(r"\s*\(.*\)$", "", cells[0]).replace("\\|", "|")]
    said = [int(x.replace(",", "")) for x in cells[1].split(", ")]
    for spec, n in zip(specs, said):
        got = len(subprocess.run([mx, "export", "-p", spec, "-c"], capture_output=True).stdout)
        sizes += 1
        if got != n:
            bad("README says export -p '%s' writes %d bytes; it writes %d" % (spec, n, got))

print("docs.sh: %d options (%d in OPTIONS), %d commands, %d stages, %d README commands run"
      " (%d marked manual), %d export sizes, %d failed"
      % (len(every), len(listed), len(commands), len(stages), len(cmds), skipped, sizes, len(fails)))
sys.exit(1 if fails else 0)
PY
