using Smitin.Audio;
using Smitin.Models.Melody;

namespace Smitin.Tests.Models.Melody;

/// <summary>The melody stretch of a long-form window: read periodically from the window's start (audiocraft's rule).</summary>
public class MelodyWindowTests
{
    static AudioClip Ramp(int n, int rate = 10) => AudioClip.Mono(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), rate);

    [Fact]
    public void FirstWindowOfAShortMelodyIsTheMelodyAndLaterWindowsWrap()
    {
        var melody = Ramp(25);                                                                 // 2.5 s at 10 Hz
        Assert.Equal(melody.Samples[0], MelodyWindow.Stretch(melody, 0, 4).Samples[0]);        // window longer than the melody
        Assert.Equal(new float[] { 20, 21, 22, 23, 24, 0, 1, 2, 3, 4 }.Concat(Enumerable.Range(5, 15).Select(i => (float)i)),
            MelodyWindow.Stretch(melody, 2.0, 4).Samples[0]);                                  // from 2 s, wrapped
        Assert.Equal(new float[] { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 }, MelodyWindow.Stretch(melody, 1.0, 1.0).Samples[0]);
        Assert.Equal(new float[] { 5, 6, 7 }, MelodyWindow.Stretch(melody, 3.0, 0.3).Samples[0]); // 30 mod 25 = 5
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var m = Ramp(10);
        Assert.Contains("offset", Assert.Throws<SmitinException>(() => MelodyWindow.Stretch(m, -1, 1)).Message);
        Assert.Contains("length", Assert.Throws<SmitinException>(() => MelodyWindow.Stretch(m, 0, 0)).Message);
    }
}
