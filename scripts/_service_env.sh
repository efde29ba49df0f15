# Sourced by test.sh and bench.sh: exports every COZE_LOOP_* variable that is unset from
# `scripts/services.sh env`, so the services it starts are used unless told otherwise.
while IFS= read -r line; do
  name=${line#export }
  name=${name%%=*}
  if [ -z "${!name:-}" ]; then eval "$line"; fi
done < <(bash "$ROOT/scripts/services.sh" env)
