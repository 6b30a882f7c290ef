namespace Smitin.Tests.Support;

/// <summary>Tests that measure the whole process (memory, timing) run in this collection, never in parallel with others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}
