using System.CommandLine;
using Smitin.Audio;
using Smitin.IO;
using Smitin.Models;
using TorchSharp;

namespace Smitin.Cli;

/// <summary><c>smitin encode --model DIR in.wav --codes-out codes.json</c>: audio → EnCodec codes.</summary>
static class EncodeCommand
{
    public static Command Create()
    {
        var model = CliModel.ModelOption();
        var input = new Argument<string>("input") { Description = "WAV file (PCM or float); converted to the model's channel count and resampled to its rate" };
        var codesOut = new Option<string>("--codes-out") { Description = "Output codes.json: {\"shape\":[B,K,T],\"codes\":[[[...]]]}", Required = true };
        var device = CliModel.DeviceOption();
        var cmd = new Command("encode", "Encode a WAV file into the EnCodec codes MusicGen uses (codes.json).") { model, input, codesOut, device };
        cmd.SetAction((parse, ct) => CliRunner.Guard(() =>
        {
            string dir = CliModel.Resolve(parse.GetValue(model)!, ct), wav = parse.GetValue(input)!, output = parse.GetValue(codesOut)!;
            var config = MusicGenConfig.Load(dir);
            int rate = config.AudioEncoder.SamplingRate, channels = config.Decoder.AudioChannels;
            var clip = AudioClip.Load(wav);                          // before the model: bad input fails fast
            string description = clip.Describe();
            clip = clip.Conform(channels, rate);                     // downmix = mean, upmix = copy; WDL resampler
            ct.ThrowIfCancellationRequested();

            using var musicgen = CliModel.Load(dir, parse.GetValue(device)!, parts: MusicGenParts.Codec);   // audio -> codes: the codec only
            using var scope = torch.NewDisposeScope();
            var x = clip.ToTensor().unsqueeze(0);                   // (1, C, T)
            var codes = musicgen.EncodeAudio(x);                                                  // (1, K, F)
            CodesJson.Write(output, codes);
            Console.Error.WriteLine($"smitin: encoded {wav} ({description}) at {rate} Hz, {channels} ch -> {output}: " +
                $"shape {WeightLoader.Shape(codes.shape)} ({musicgen.FrameRate} frames/s)");
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
