using System.Diagnostics;
using System.Text;

namespace Smitin.Data.Synth;

/// <summary>
/// Renders MIDI files to WAV with the Debian <c>fluidsynth</c> command (run as a child process; no library binding):
/// <c>fluidsynth -ni -q -g GAIN -r RATE -O float -T wav -F out.wav SOUNDFONT file.mid</c>. Float output avoids
/// dithering, so a render is a pure function of the MIDI file, the SoundFont and the rate.
/// </summary>
public sealed class FluidSynthRenderer
{
    /// <summary>The SoundFont of Debian's <c>timgm6mb-soundfont</c> package (installed by scripts/setup.sh).</summary>
    public const string DefaultSoundFont = "/usr/share/sounds/sf2/TimGM6mb.sf2";

    /// <summary>The fluidsynth executable.</summary>
    public string Executable { get; }
    /// <summary>The General MIDI SoundFont (.sf2).</summary>
    public string SoundFont { get; }
    /// <summary>fluidsynth's master gain (<c>-g</c>); 0.5 keeps full arrangements below clipping.</summary>
    public double Gain { get; init; } = 0.5;
    /// <summary>Longest time one render may take before it is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks that the program and the SoundFont exist; the errors say which Debian package to install.</summary>
    public FluidSynthRenderer(string executable = "fluidsynth", string soundFont = DefaultSoundFont)
    {
        Executable = Resolve(executable) ?? throw new SmitinException(
            $"fluidsynth: program '{executable}' not found; install it with 'apt-get install fluidsynth' (Debian package fluidsynth) " +
            "or pass its path");
        if (!File.Exists(soundFont))
            throw new SmitinException(soundFont == DefaultSoundFont
                ? $"{soundFont}: General MIDI SoundFont not found; install it with 'apt-get install timgm6mb-soundfont' or pass another .sf2 file"
                : $"{soundFont}: SoundFont file not found; expected a General MIDI .sf2 file (e.g. from the Debian package timgm6mb-soundfont)");
        SoundFont = soundFont;
    }

    /// <summary>Renders <paramref name="midiPath"/> to a 32-bit float stereo WAV at <paramref name="sampleRate"/>.</summary>
    public void Render(string midiPath, string wavPath, int sampleRate, CancellationToken cancel = default)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-ni", "-q", "-g", Gain.ToString(System.Globalization.CultureInfo.InvariantCulture),
                                  "-r", sampleRate.ToString(), "-O", "float", "-T", "wav", "-F", wavPath, SoundFont, midiPath })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new SmitinException($"fluidsynth: could not start {Executable}");
        p.StandardInput.Close();
        var stderr = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        using (cancel.Register(() => { try { p.Kill(); } catch (InvalidOperationException) { } }))
        {
            if (!p.WaitForExit(Timeout))
            {
                try { p.Kill(); } catch (InvalidOperationException) { }
                throw new SmitinException($"fluidsynth: rendering {midiPath} took longer than {Timeout.TotalSeconds:F0} s");
            }
            p.WaitForExit();
        }
        cancel.ThrowIfCancellationRequested();
        if (p.ExitCode != 0 || !File.Exists(wavPath) || new FileInfo(wavPath).Length == 0)
            throw new SmitinException($"fluidsynth: rendering {midiPath} failed (exit code {p.ExitCode}): {stderr.ToString().Trim()}");
    }

    /// <summary>A path as given if it exists, else the first match on PATH.</summary>
    static string? Resolve(string exe)
    {
        if (exe.Contains('/')) return File.Exists(exe) ? exe : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, exe);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
