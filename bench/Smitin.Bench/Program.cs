// Smitin benchmarks: `dotnet run -c Release --project bench/Smitin.Bench -- <name>`.
// Each benchmark lives in its own file and is listed here; figures are printed as ratios measured in one run.
using Smitin.Bench;

var benches = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["native"] = NativeBench.Run,
    ["codec"] = CodecBench.Run,
    ["decode"] = DecodeBench.Run,
    ["probes"] = ProbesBench.Run,
    ["steering"] = SteeringBench.Run,
};

if (args.Length == 0 || !benches.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Smitin.Bench <{string.Join("|", benches.Keys)}> [options]");
    return args.Length == 0 ? 0 : 2;
}
return run(args[1..]);
