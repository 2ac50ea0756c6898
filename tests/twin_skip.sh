# Sourced first by the numpy twins' tests (twin.sh, export_twins.sh,
# export_http.sh): tests/run-all runs them in one of its builds only and
# sets MX_SKIP_TWINS in the other, where they would prove nothing new.
if [ -n "${MX_SKIP_TWINS:-}" ]; then
    echo "SKIP: MX_SKIP_TWINS is set (tests/run-all runs this in its other build)"
    exit 77
fi
