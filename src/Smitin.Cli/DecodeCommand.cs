using System.CommandLine;
using Smitin.Audio;
using Smitin.IO;
using Smitin.Models;
using TorchSharp;

namespace Smitin.Cli;

/// <summary><c>smitin decode --model DIR codes.json --out out.wav [--pcm16]</c>: EnCodec codes → audio.</summary>
static class DecodeCommand
{
    public static Command Create()
    {
        var model = CliModel.ModelOption();
        var input = new Argument<string>("codes") { Description = "codes.json: {\"shape\":[B,K,T],\"codes\":[[[...]]]}, K = the model's codebooks (interleaved for stereo)" };
        var output = new Option<string>("--out") { Description = "Output WAV at the model rate; with batch B > 1, one file per item: NAME-0.wav, NAME-1.wav, ...", Required = true };
        var pcm16 = new Option<bool>("--pcm16") { Description = "Write 16-bit PCM (clamped to full scale) instead of 32-bit float" };
        var device = CliModel.DeviceOption();
        var cmd = new Command("decode", "Decode EnCodec codes (codes.json) into a WAV file.") { model, input, output, pcm16, device };
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            string dir = CliModel.Resolve(parse.GetValue(model)!, ct), codesPath = parse.GetValue(input)!, wav = parse.GetValue(output)!;
            var config = MusicGenConfig.Load(dir);
            using var codes = CodesJson.Read(codesPath, config.Decoder.NumCodebooks, config.AudioEncoder.CodebookSize);   // before the model
            ct.ThrowIfCancellationRequested();

            using var musicgen = CliModel.Load(dir, parse.GetValue(device)!, parts: MusicGenParts.Codec);   // codes -> audio: the codec only
            using var scope = torch.NewDisposeScope();
            var audio = musicgen.DecodeCodes(codes).cpu();                                        // (B, C, T)
            long batch = audio.shape[0];
            for (long b = 0; b < batch; b++)
            {
                string path = batch == 1 ? wav : Path.ChangeExtension(wav, null) + $"-{b}" + Path.GetExtension(wav);
                var clip = AudioClip.FromTensor(audio[b], musicgen.SampleRate, $"decoded audio {b}");  // (C, T)
                var encoding = parse.GetValue(pcm16) ? WavEncoding.Pcm16 : WavEncoding.Float32;
                clip.Save(path, encoding);
                Console.Error.WriteLine($"smitin: decoded {codesPath} -> {path}: {clip.Describe()} ({encoding})");
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
