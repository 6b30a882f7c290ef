using System.Text.Json;
using Smitin.IO;
using Smitin.Models.Codec;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// The LM's training data: every training mix (<see cref="SongCorpus.TrainingVariants"/>) encoded by the trained
/// codec through the engine's inference <see cref="EncodecModel"/> (so the LM learns exactly the codes generation
/// and probing see), with its description. One file per song under <c>WORK/lm/codes/</c> (resumable), each
/// holding its variants' codes as int16 (K, F) and a JSON index.
/// </summary>
public sealed class CodesCorpus
{
    public sealed record Item(string Song, string[] Stems, string Description, short[] Codes, int Frames, int Codebooks)
    {
        /// <summary>Codebook k's code at frame f.</summary>
        public short At(int k, int f) => Codes[k * Frames + f];
    }

    public IReadOnlyList<Item> Items { get; }
    CodesCorpus(IReadOnlyList<Item> items) { Items = items; }

    /// <summary>A corpus of the given items (tests).</summary>
    internal static CodesCorpus FromItems(IReadOnlyList<Item> items) => new(items);

    public static CodesCorpus Build(SongCorpus corpus, EncodecModel codec, string dir, int seed, IProgress<string>? progress, CancellationToken cancel)
    {
        Directory.CreateDirectory(dir);
        var items = new List<Item>();
        int done = 0;
        foreach (var (song, index) in corpus.Songs.Select((s, i) => (s, i)))
        {
            cancel.ThrowIfCancellationRequested();
            string file = Path.Combine(dir, song.Id + ".json");
            if (!File.Exists(file))
            {
                var variants = SongCorpus.TrainingVariants(song, new Random(seed * 7 + index));
                var encoded = Encode(codec, variants.Select(v => SongCorpus.Mix(song, v)).ToList());
                var records = variants.Zip(encoded, (v, c) => new
                {
                    stems = v, description = SongCorpus.Describe(song, v), frames = c.Frames, codebooks = c.K,
                    codes = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(c.Codes.AsSpan())),
                }).ToList();
                AtomicFile.WriteAllText(file, JsonSerializer.Serialize(records));
            }
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var r in doc.RootElement.EnumerateArray())
            {
                var bytes = Convert.FromBase64String(r.GetProperty("codes").GetString()!);
                var codes = new short[bytes.Length / 2];
                Buffer.BlockCopy(bytes, 0, codes, 0, bytes.Length);
                items.Add(new Item(song.Id, r.GetProperty("stems").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                    r.GetProperty("description").GetString()!, codes, r.GetProperty("frames").GetInt32(), r.GetProperty("codebooks").GetInt32()));
            }
            if (++done % 20 == 0 || done == corpus.Songs.Count) progress?.Report($"lm: codes for {done}/{corpus.Songs.Count} songs ({items.Count} mixes)");
        }
        return new CodesCorpus(items);
    }

    /// <summary>Encodes equal-length mono mixes in batches: per mix (K, F) codes as int16, codebook-major.</summary>
    public static List<(short[] Codes, int K, int Frames)> Encode(EncodecModel codec, IReadOnlyList<float[]> mixes)
    {
        var result = new List<(short[], int, int)>();
        for (int start = 0; start < mixes.Count; start += 4)
        {
            using var scope = NewDisposeScope();
            var chunk = mixes.Skip(start).Take(4).ToList();
            int t = chunk.Min(m => m.Length);
            var flat = chunk.SelectMany(m => m.Take(t)).ToArray();
            var codes = codec.Encode(tensor(flat, [chunk.Count, 1, t])).to(ScalarType.Int16); // (B, K, F)
            int k = (int)codes.shape[1], f = (int)codes.shape[2];
            var all = codes.data<short>().ToArray();
            for (int b = 0; b < chunk.Count; b++) result.Add((all.AsSpan(b * k * f, k * f).ToArray(), k, f));
        }
        return result;
    }
}
