#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 machine that has only the .NET SDK.
# Installs the Debian packages and .NET tools Smitin needs, then restores and builds the solution.
# Set SMITIN_SKIP_APT=1 to skip the Debian part (e.g. on a machine you do not administer).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  fluidsynth timgm6mb-soundfont          # synthetic probe songs (MIDI -> WAV per stem)
  sox                                    # audio inspection in scripts
  jupyter-notebook                       # the front end: `jupyter notebook notebooks/` (classic Notebook 6.4)
  jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel  # headless notebook runs
  chromium fonts-dejavu-core             # offline screenshot checks of exported notebooks
  chromium-driver python3-selenium       # the end-to-end UI test (scripts/ui-test.py) drives the front end
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${SMITIN_SKIP_APT:-0}" != "1" ] && [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# .NET Interactive (Jupyter kernel) as a global tool, pinned to the version the extension is built against.
export PATH="$PATH:$HOME/.dotnet/tools"
if ! dotnet tool list -g 2>/dev/null | grep -qi "microsoft.dotnet-interactive *1.0.712001"; then
  dotnet tool update -g Microsoft.dotnet-interactive --version 1.0.712001 >/dev/null
fi
if command -v jupyter >/dev/null 2>&1 && ! jupyter kernelspec list 2>/dev/null | grep -q ".net-csharp"; then
  dotnet interactive jupyter install >/dev/null
fi

# Jupyter's interrupt button: the stock .NET kernelspec lets SIGINT shut the kernel down. Start the C# kernel through
# scripts/smitin-kernel-launch.sh (copied next to kernel.json), which turns the interrupt into .NET Interactive's Cancel
# command via the Smitin extension (docs/notebooks.md, "Stopping a running magic"). Re-applied after every
# `dotnet interactive jupyter install`, which rewrites kernel.json.
if command -v jupyter >/dev/null 2>&1; then
  spec_dir="$(jupyter kernelspec list --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["kernelspecs"].get(".net-csharp",{}).get("resource_dir",""))' || true)"
  if [ -n "$spec_dir" ] && [ -f "$spec_dir/kernel.json" ]; then
    cmp -s scripts/smitin-kernel-launch.sh "$spec_dir/smitin-kernel-launch.sh" || cp scripts/smitin-kernel-launch.sh "$spec_dir/smitin-kernel-launch.sh"
    /usr/bin/python3 - "$spec_dir" <<'PYEOF'
import json, os, sys
spec_dir = sys.argv[1]
path = os.path.join(spec_dir, "kernel.json")
spec = json.load(open(path))
launcher = ["/bin/sh", os.path.join(spec_dir, "smitin-kernel-launch.sh")]
argv = spec["argv"]
while len(argv) >= 2 and argv[0] == "/bin/sh" and argv[1].endswith("smitin-kernel-launch.sh"):
    argv = argv[2:]                                  # already wrapped (maybe from another folder): wrap once, here
wanted = dict(spec, argv=launcher + argv, interrupt_mode="signal")
if wanted != spec:
    tmp = path + ".tmp"
    json.dump(wanted, open(tmp, "w"), indent=2)
    os.replace(tmp, path)
    print(f"setup: {path}: the kernel starts through smitin-kernel-launch.sh (Jupyter's interrupt cancels the cell)")
PYEOF
  fi
fi

# The notebook server refuses to start as root unless allowed: a fresh CI machine or container runs as root, and
# the README's `jupyter notebook notebooks/` must work there verbatim. Only set when running as root.
if [ "$(id -u)" -eq 0 ] && command -v jupyter >/dev/null 2>&1; then
  /usr/bin/python3 - <<'PYEOF'
import json, os
path = os.path.join(os.environ.get("JUPYTER_CONFIG_DIR", os.path.expanduser("~/.jupyter")), "jupyter_notebook_config.json")
cfg = json.load(open(path)) if os.path.exists(path) else {}
if cfg.get("NotebookApp", {}).get("allow_root") is not True:
    cfg.setdefault("NotebookApp", {})["allow_root"] = True
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    json.dump(cfg, open(tmp, "w"), indent=2)
    os.replace(tmp, path)
    print(f"setup: {path}: NotebookApp.allow_root = true (running as root)")
PYEOF
fi

dotnet build Smitin.sln -c Release -nologo -v q -clp:ErrorsOnly
