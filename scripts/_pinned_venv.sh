# Sourced by the test setup scripts: `pinned_venv NAME DIR PACKAGE VERSION` makes a Python
# virtual environment in DIR holding PACKAGE==VERSION (python3-venv is installed as root on
# Debian when missing). Idempotent: a second when everything is there.
pinned_venv() {
  local name=$1 venv=$2 package=$3 version=$4 installed
  if ! command -v python3 >/dev/null; then
    echo "$name: python3 is missing (it needs python3 with venv)" >&2
    return 1
  fi
  if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$(dirname "$venv")"
    if ! python3 -m venv "$venv" 2>/dev/null; then
      # Debian ships venv separately; as root we can add it.
      rm -rf "$venv"
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y -q python3-venv >/dev/null
        python3 -m venv "$venv"
      else
        echo "$name: python3 -m venv failed; install python3-venv" >&2
        return 1
      fi
    fi
  fi
  installed=$("$venv/bin/python" -c \
    "import importlib.metadata as m; print(m.version('$package'))" 2>/dev/null || true)
  if [ "$installed" != "$version" ]; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$package==$version"
  fi
}
