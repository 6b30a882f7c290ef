#!/bin/sh
# Jupyter kernel launcher for the .NET (C#) kernel, installed by scripts/setup.sh into the .net-csharp kernelspec:
#   "argv": ["/bin/sh", ".../smitin-kernel-launch.sh", "dotnet", "interactive", "jupyter", ...]
# Why: Jupyter interrupts a kernel by sending SIGINT to its process group, and the .NET host answers SIGINT by shutting
# the kernel down (every variable lost); "interrupt_mode": "message" is ignored by .NET Interactive. Here the kernel
# runs with SIGINT ignored (the .NET runtime keeps an inherited SIG_IGN), and each SIGINT becomes SIGWINCH for the
# process group, on which the Smitin extension sends .NET Interactive's Cancel command (what Polyglot's stop button
# sends): the running cell is cancelled and the kernel keeps its state. Without Smitin loaded, SIGWINCH is ignored,
# so an interrupt does nothing instead of killing the kernel. See docs/notebooks.md, "Stopping a running magic".
trap '' INT
"$@" &
kernel=$!
trap 'kill -s WINCH 0 2>/dev/null' INT
trap 'kill -s TERM "$kernel" 2>/dev/null' TERM HUP
while :; do
  wait "$kernel"
  rc=$?
  kill -0 "$kernel" 2>/dev/null || exit "$rc"
done
