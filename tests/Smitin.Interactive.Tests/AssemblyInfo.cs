// The .NET Interactive formatter registry is process-wide: test classes must not run concurrently.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
