using System.Security.Cryptography;
using Smitin.Generation;
using Smitin.IO;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Steering;

namespace Smitin.Tests.Models;

/// <summary>
/// Issue 17 items 4 and 5: a model's identity comes from every byte of the files the loader reads (config.json and the
/// weights), not from whatever else lies in the folder, and every path that applies a probe set checks it.
/// </summary>
public sealed class ModelIdentityTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static GenerationOptions Short(InterventionPlan? plan = null) => new() { Greedy = true, MaxNewTokens = 8, Seed = 1, Steering = plan };

    [Fact]
    public void Unrelated_files_beside_the_weights_do_not_change_the_identity_and_probes_still_apply()
    {
        using var original = TinyModel.Load();                                   // the fixture folder holds reference.safetensors too
        var probes = HandBuiltProbes.For(original, "drums");
        probes.Save(_dir["drums.probe"]);

        string copy = FixtureCopy.Copy(_dir["copy"], "reference.safetensors");
        using (var m = TinyModel.Load(copy))
        {
            Assert.Equal(original.Identity, m.Identity);
            var loaded = ProbeSet.Load(_dir["drums.probe"], m);                    // was refused: "trained for model ..."
            using var r = m.Generate(["rock"], Short(InterventionPlan.Build(loaded)), decodeAudio: false);
            Assert.NotNull(r.Steering);
        }

        // what a Python snapshot_download or a user adds beside the weights
        File.Copy(Path.Combine(Fixture.Model(), "reference.safetensors"), Path.Combine(copy, "backup.safetensors"));
        File.Copy(_dir["drums.probe"], Path.Combine(copy, "drums.safetensors"));
        File.WriteAllText(Path.Combine(copy, "README.md"), "notes");
        using (var m = TinyModel.Load(copy)) Assert.Equal(original.Identity, m.Identity);
    }

    [Fact]
    public async Task A_hub_snapshot_has_the_identity_of_the_same_files_in_a_folder_whichever_client_filled_it()
    {
        await using var hub = new Smitin.Tests.Hub.FakeHubServer();
        hub.Add(new Smitin.Tests.Hub.FakeRepo { Id = "facebook/musicgen-tiny", Files = Smitin.Tests.Hub.HubTestKit.FixtureRepoFiles() });
        using var cache = new TempDir();
        string dir = await Smitin.Hub.ModelLocator.Resolve("facebook/musicgen-tiny", options: Smitin.Tests.Hub.HubTestKit.Options(cache.Path, hub) with { Timeout = TimeSpan.FromSeconds(60) }); // loaded machine: no 5 s timeout
        using (var smitinFilled = TinyModel.Load(dir)) Assert.Equal(TinyModel.Shared.Identity, smitinFilled.Identity);
        // Python's snapshot_download fetches every file of the repository, extra *.safetensors included
        File.Copy(Path.Combine(Fixture.Model(), "reference.safetensors"), Path.Combine(dir, "reference.safetensors"));
        using (var pythonFilled = TinyModel.Load(dir)) Assert.Equal(TinyModel.Shared.Identity, pythonFilled.Identity);
    }

    [Fact]
    public void A_fine_tune_with_the_same_config_is_another_model_on_every_steering_path()
    {
        using var base_ = TinyModel.Load();
        var probes = HandBuiltProbes.For(base_, "drums");
        probes.Save(_dir["drums.probe"]);
        string tunedDir = FixtureCopy.Copy(_dir["tuned"], "reference.safetensors");
        // one decoder weight in the middle of the file (not in its first or last 4 KB), same config, same shapes
        FixtureCopy.PatchFloat(tunedDir, "decoder.model.decoder.layers.1.fc2.weight", 1000, 0.123f);
        using var tuned = TinyModel.Load(tunedDir);
        Assert.NotEqual(base_.Identity, tuned.Identity);

        void Refused(Action act, string what)
        {
            var e = Assert.Throws<SmitinException>(act);
            Assert.True(e.Message.Contains("was trained for model") && e.Message.Contains(tuned.Identity), $"{what}: {e.Message}");
        }
        Refused(() => ProbeSet.Load(_dir["drums.probe"], tuned), "loading the probe file");
        Refused(() => tuned.Generate(["rock"], Short(InterventionPlan.Build(probes)), decodeAudio: false), "GenerationOptions.Steering");
        Refused(() => tuned.Generate(["rock"], Short(InterventionPlan.Monitor([probes])), decodeAudio: false), "monitor-only plan");
        Refused(() => tuned.Steer(InterventionPlan.Build(probes)).Dispose(), "model.Steer");
        using (tuned.Decoder.Steer(InterventionPlan.Build(probes)))                 // a session opened on the decoder: shape check only
            Refused(() => tuned.Generate(["rock"], Short(), decodeAudio: false), "session on the decoder");
        // the base model still accepts them
        using var ok = base_.Generate(["rock"], Short(InterventionPlan.Build(probes)), decodeAudio: false);
        Assert.NotNull(ok.Steering);
    }

    [Fact]
    public void File_digests_cover_every_byte_are_cached_per_path_size_and_time_and_hub_blob_names_are_digests()
    {
        string cache = _dir["digests"], file = _dir["w.bin"];
        var a = new byte[100_000];
        new Random(1).NextBytes(a);
        File.WriteAllBytes(file, a);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(a)), FileDigest.Sha256(file, cache));
        string entry = Assert.Single(Directory.GetFiles(cache, "*", SearchOption.AllDirectories));

        // the cached entry is what a second call returns (no re-hash) ...
        File.WriteAllText(entry, new string('f', 64));
        Assert.Equal(new string('f', 64), FileDigest.Sha256(file, cache));
        // ... until the file changes: one byte in the middle, same size, a later modification time
        a[50_000] ^= 1;
        File.WriteAllBytes(file, a);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(a)), FileDigest.Sha256(file, cache));

        // a hub snapshot file is a symlink to blobs/<sha256>: the name is taken as the digest
        string blob = Path.Combine(_dir["hub"], "blobs", new string('a', 64));
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllBytes(blob, a);
        string link = Path.Combine(_dir["hub"], "snapshots", "c0", "model.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, blob);
        Assert.Equal(new string('a', 64), FileDigest.Sha256(link, cache));
    }
}
