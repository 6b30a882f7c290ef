using System.Text.Json;
using Smitin.Audio;
using Smitin.IO;
using Smitin.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Support;

/// <summary>
/// The MusicGen Melody fixture (<c>musicgen-melody-tiny</c>) loaded once per test class through the public
/// <see cref="MusicGen.Load"/>, with its reference tensors, prompts and test melodies.
/// </summary>
public sealed class MelodyFixture : IDisposable
{
    public const string Name = "musicgen-melody-tiny";

    public MusicGen Model { get; }
    public SafeTensorsFile Reference { get; }
    public string Folder => Fixture.Model(Name);

    public MelodyFixture()
    {
        Native.TorchRuntime.Ensure();
        torch.set_num_threads(1); // tiny model: see DecoderFixture; the reference LM/chroma tensors are identical at 1 and 2 threads
        Model = TinyModel.Load(Fixture.Model(Name));
        Reference = Fixture.Reference(Name);
    }

    /// <summary>A reference tensor (caller disposes).</summary>
    public Tensor Ref(string name) => Reference.Read(name);

    /// <summary>The fixture's prompts (reference.json).</summary>
    public string[] Prompts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "reference.json")));
        return doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }

    /// <summary>A stored (1, N) waveform as a mono clip.</summary>
    public AudioClip Clip(string tensor, int sampleRate)
    {
        using var w = Ref(tensor);
        return AudioClip.FromTensor(w, sampleRate, tensor);
    }

    public void Dispose()
    {
        Model.Dispose();
        Reference.Dispose();
    }
}
