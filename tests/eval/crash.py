# For tests/eval.sh: a solution that never starts (mxbench eval must fail its
# rows with the reason, and leave nothing running).
import sys
raise SystemExit("this solution crashes on start: " + " ".join(sys.argv[1:]))
