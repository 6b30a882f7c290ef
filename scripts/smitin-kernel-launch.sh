#!/bin/sh
# Jupyter kernel launcher for the .NET (C#) kernel, installed by scripts/setup.sh into the .net-csharp kernelspec:
#   "argv": ["/bin/sh", ".../smitin-kernel-launch.sh", "dotnet", "interactive", "jupyter", ...]
# Why: Jupyter interrupts a kernel by sending SIGINT to its process group, and the .NET host answers SIGINT by shutting
# the kernel down (every variable lost); "interrupt_mode": "message" is ignored by .NET Interactive. Here the kernel
# runs with SIGINT ignored (the .NET runtime keeps an inherited SIG_IGN), and each SIGINT becomes SIGWINCH for the
# process group, on which the Smitin extension sends .NET Interactive's Cancel command (what Polyglot's stop button
# sends): the running cell is cancelled and the kernel keeps its state. Without Smitin loaded, SIGWINCH is ignored,
# so an interrupt does nothing instead of killing the kernel. See docs/notebooks.md, "Stopping a running magic".
# A shell cannot trap a signal that was ignored when it started (POSIX), and a Jupyter server started in the
# background by a non-interactive shell (`jupyter notebook &`, nohup, some service managers) passes SIGINT on ignored:
# the trap below would then do nothing and every interrupt would be lost. So restart once with SIGINT at its default
# (coreutils' env --default-signal, Debian 12 has it) before setting the traps.
if [ -z "${SMITIN_KERNEL_LAUNCH_SIGINT:-}" ] && env --default-signal=INT true 2>/dev/null; then
  SMITIN_KERNEL_LAUNCH_SIGINT=1 exec env --default-signal=INT /bin/sh "$0" "$@"
fi
unset SMITIN_KERNEL_LAUNCH_SIGINT
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
