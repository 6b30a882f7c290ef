// The pipeline sets process-wide torch state (manual_seed, set_num_threads); test classes running in parallel would
// draw from each other's random stream and make the bit-exact resume test fail now and then.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
