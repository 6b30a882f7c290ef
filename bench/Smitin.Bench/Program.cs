// Smitin benchmarks: `dotnet run -c Release --project bench/Smitin.Bench -- <name>`.
// Each benchmark lives in its own file and is listed here; figures are printed as ratios measured in one run.
using Smitin.Bench;

var benches = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["native"] = NativeBench.Run,
    ["codec"] = CodecBench.Run,
    ["memory"] = MemoryBench.Run,
    ["decode"] = DecodeBench.Run,
    ["throughput"] = ThroughputBench.Run,
    // writes (once) and prints the folder of a random musicgen-small-shaped model, e.g. for `smitin generate --model`
    // under /usr/bin/time -v (peak RSS vs weight bytes)
    ["random-small-model"] = a => { Console.WriteLine(RandomSmallModel.Ensure(a.Length > 0 ? a[0] : ProbesBench.FindFixture())); return 0; },
    ["probes"] = ProbesBench.Run,
    ["steering"] = SteeringBench.Run,
};

if (args.Length == 0 || !benches.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Smitin.Bench <{string.Join("|", benches.Keys)}> [options]");
    return args.Length == 0 ? 0 : 2;
}
return run(args[1..]);
