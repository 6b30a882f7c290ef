using Smitin.Audio;
using Smitin.Data;
using Smitin.Tests.Audio;

namespace Smitin.Tests.Data;

public class CodesCacheTests
{
    /// <summary>A fake encoder: 2 codebooks × (frames / 100) steps of quantised sample values; counts its calls.</summary>
    sealed class FakeEncoder
    {
        public int Calls;
        public (long[] Data, long[] Shape) Encode(AudioClip clip)
        {
            Calls++;
            int steps = clip.Frames / 100;
            var data = new long[2 * steps];
            for (int k = 0; k < 2; k++)
                for (int t = 0; t < steps; t++) data[k * steps + t] = (long)((clip.Samples[0][t * 100] + 1) * 1000) + k;
            return (data, [1, 2, steps]);
        }
    }

    static AudioClip Clip(int seed) => AudioClip.Mono(TestSignals.Noise(1000, seed), 32000);

    [Fact]
    public void Second_request_is_a_hit_and_equal()
    {
        using var dir = new TempDir();
        var cache = new CodesCache(dir.Path);
        var enc = new FakeEncoder();
        var a = cache.GetOrAdd("musicgen-small/encodec@abc", Clip(1), enc.Encode);
        var b = cache.GetOrAdd("musicgen-small/encodec@abc", Clip(1), enc.Encode);  // equal content, new arrays
        Assert.Equal(1, enc.Calls);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal(new long[] { 1, 2, 10 }, b.Shape);
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));
        // A fresh cache object over the same folder reads it from disk.
        Assert.True(new CodesCache(dir.Path).TryGet("musicgen-small/encodec@abc", Clip(1), out var c));
        Assert.Equal(a.Data, c.Data);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Model_id_rate_and_content_are_part_of_the_key()
    {
        using var dir = new TempDir();
        var cache = new CodesCache(dir.Path);
        var enc = new FakeEncoder();
        cache.GetOrAdd("model-a", Clip(1), enc.Encode);
        cache.GetOrAdd("model-b", Clip(1), enc.Encode);
        var changed = Clip(1); changed.Samples[0][999] += 1e-6f;
        cache.GetOrAdd("model-a", changed, enc.Encode);
        cache.GetOrAdd("model-a", new AudioClip(Clip(1).Samples, 16000), enc.Encode);
        Assert.Equal(4, enc.Calls);
        Assert.Equal(4, Directory.GetFiles(dir.Path, "*.codes", SearchOption.AllDirectories).Length);
        Assert.NotEqual(CodesCache.Key("model-a", Clip(1)), CodesCache.Key("model-a", Clip(2)));
        Assert.Equal(CodesCache.Key("model-a", Clip(2)), CodesCache.Key("model-a", Clip(2)));
    }

    [Fact]
    public void Damaged_entry_is_a_miss_and_is_rewritten()
    {
        using var dir = new TempDir();
        var cache = new CodesCache(dir.Path);
        var enc = new FakeEncoder();
        var first = cache.GetOrAdd("m", Clip(3), enc.Encode);
        string path = cache.PathFor("m", Clip(3));
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..30]);   // truncated
        var again = cache.GetOrAdd("m", Clip(3), enc.Encode);
        Assert.Equal(2, enc.Calls);
        Assert.Equal(1, cache.Corrupt);
        Assert.Equal(first.Data, again.Data);
        Assert.True(cache.TryGet("m", Clip(3), out _));
    }

    [Fact]
    public void Encoder_output_with_a_wrong_shape_is_refused_and_not_stored()
    {
        using var dir = new TempDir();
        var cache = new CodesCache(dir.Path);
        var e = Assert.Throws<SmitinException>(() => cache.GetOrAdd("m", Clip(4), _ => (new long[5], new long[] { 2, 3 })));
        Assert.Contains("'m'", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.False(cache.TryGet("m", Clip(4), out _));
    }
}
