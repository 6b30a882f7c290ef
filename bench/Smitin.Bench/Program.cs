using Smitin.Bench;

// Console benchmarks: `dotnet run -c Release --project bench/Smitin.Bench -- <name> [args]`.
// One class per benchmark with a static Run(string[] args); add a line to the table below.
var benchmarks = new Dictionary<string, (string Help, Func<string[], int> Run)>
{
    ["probes"] = ("probe training (1536 heads x 1000 examples x 64 dims) and activation capture throughput", ProbesBench.Run),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var bench))
{
    Console.Error.WriteLine("usage: Smitin.Bench <benchmark> [args]");
    foreach (var (name, b) in benchmarks) Console.Error.WriteLine($"  {name,-10} {b.Help}");
    return args.Length == 0 ? 0 : 2;
}
return bench.Run(args[1..]);
