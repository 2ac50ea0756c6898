/* test_fit.c - the app's text fitting (ui/fit.c): names cut to a width stay
 * apart, specs keep their tails. */
#include <string.h>
#include "../ui/fit.h"
#include "check.h"

#define STRIDE 64

static int all_apart(char out[][STRIDE], size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (!strcmp(out[i], out[j]))
                return 0;
    return 1;
}

static void check_names(const char *const *names, size_t n, int w)
{
    char out[16][STRIDE];
    size_t head, tail;
    CHECK(ui_fit_names(names, n, w, &out[0][0], STRIDE, &head, &tail) == 0, "fit");
    for (size_t i = 0; i < n; i++)
        CHECK((int)strlen(out[i]) <= w, "'%s' is wider than %d", out[i], w);
    CHECK(all_apart(out, n), "two names fitted to %d columns alike", w);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (!strcmp(out[i], out[j]))
                fprintf(stderr, "  '%s' and '%s' both show as '%s'\n", names[i], names[j], out[i]);
}

int main(void)
{
    char buf[STRIDE];
    ui_fit_middle("baseline:zstd:3", 20, buf, sizeof buf);
    CHECK(!strcmp(buf, "baseline:zstd:3"), "fits: %s", buf);
    ui_fit_middle("bytesplit,delta:cols|brotli:11", 12, buf, sizeof buf);
    CHECK(strlen(buf) == 12 && strstr(buf, "i:11") && buf[5] == '~', "middle: %s", buf);
    ui_fit_middle("abc", 0, buf, sizeof buf);
    CHECK(!buf[0], "zero width");

    /* the bundled data: forward and backward differ in the middle, all
     * share ".s1.npy" */
    static const char *const bundled[] = {
        "l0.ln1.forward.s1.npy",      "l0.ln1.backward.s1.npy",      "l1.attn.forward.s1.npy",
        "l1.attn.backward.s1.npy",    "l2.resid_mid.forward.s1.npy", "l2.resid_mid.backward.s1.npy",
        "l3.mlp_act.forward.s1.npy",  "l3.mlp_act.backward.s1.npy",  "l1.resid.forward.s1.npy",
        "l1.resid.backward.s1.npy",   "logits.forward.s1.npy",       "logits.backward.s1.npy",
    };
    size_t nb = sizeof bundled / sizeof bundled[0];
    for (int w = 10; w <= 30; w++)
        check_names(bundled, nb, w);
    char out[16][STRIDE];
    size_t head, tail;
    ui_fit_names(bundled, nb, 17, &out[0][0], STRIDE, &head, &tail);
    CHECK(head == 0 && tail == 7, "shared head %zu tail %zu", head, tail);
    CHECK(strstr(out[4], "forward") && strstr(out[5], "backward") && !strncmp(out[4], "l2.r", 4),
          "%s / %s", out[4], out[5]);
    CHECK(!strcmp(out[0], "l0.ln1.forward"), "a short name stays whole: %s", out[0]);

    /* names alike at both ends, different only in the middle */
    static const char *const middle[] = {
        "model.layers.10.mlp.down_proj.input.npy", "model.layers.11.mlp.down_proj.input.npy",
        "model.layers.12.mlp.down_proj.input.npy", "model.layers.10.self_attn.o_proj.input.npy",
        "embed.npy",
    };
    for (int w = 10; w <= 40; w++)
        check_names(middle, sizeof middle / sizeof middle[0], w);
    /* one name the head of another */
    static const char *const nested[] = {"act.npy", "act.npy.bak", "act2.npy"};
    for (int w = 4; w <= 12; w++)
        check_names(nested, 3, w);
    /* everything fits: unchanged, nothing cut */
    static const char *const small[] = {"a.npy", "b.npy"};
    ui_fit_names(small, 2, 8, &out[0][0], STRIDE, &head, &tail);
    CHECK(!strcmp(out[0], "a.npy") && head == 0 && tail == 0, "%s", out[0]);

    /* word wrap: breaks at blanks, drops them, cuts a word wider than the
     * line, and counts lines beyond max */
    size_t at[8], len[8];
    const char *reason = "  cannot run python3: No such file";
    size_t nl = ui_wrap(reason, 12, at, len, 8);
    CHECK(nl == 3 && len[0] == 10 && !strncmp(reason + at[0], "cannot run", 10) &&
              !strncmp(reason + at[1], "python3: No", len[1]) && len[1] == 11 &&
              !strncmp(reason + at[2], "such file", len[2]) && len[2] == 9,
          "wrap: %zu lines", nl);
    nl = ui_wrap("abcdefghij xy", 4, at, len, 8);
    CHECK(nl == 4 && len[0] == 4 && len[1] == 4 && len[2] == 2 && len[3] == 2 && at[3] == 11,
          "a long word is cut: %zu lines", nl);
    CHECK(ui_wrap("a b c d e", 1, at, len, 0) == 5, "max 0 counts the lines");
    CHECK(ui_wrap("   ", 5, at, len, 8) == 0 && ui_wrap("x", 0, at, len, 8) == 0, "blank or no width");
    return check_exit("test_fit");
}
