using System.Globalization;

namespace Smitin.Generation;

/// <summary>
/// One window of a generation: the decoder runs once over it, continuing its first <see cref="PromptFrames"/> frames.
/// </summary>
/// <param name="Index">0 for the first window</param>
/// <param name="FirstFrame">frame of the whole piece where the window starts (its prompt included)</param>
/// <param name="PromptFrames">frames the window continues: the audio prompt in window 0, the previous window's last
/// (window − stride) frames after it</param>
/// <param name="Frames">frames of the window, its prompt included</param>
/// <param name="Steps">decoder steps the window runs (step 0 is its prefill)</param>
/// <param name="FirstStep">decoder steps run before this window in the whole piece (its step 0 is global step FirstStep)</param>
public sealed record GenerationWindow(int Index, int FirstFrame, int PromptFrames, int Frames, int Steps, int FirstStep)
{
    /// <summary>Frames this window adds to the piece.</summary>
    public int NewFrames => Frames - PromptFrames;
}

/// <summary>
/// How a generation is cut into windows, decided before the first step (audiocraft's <c>MusicGen._generate_tokens</c>):
/// a piece that fits one window (<see cref="GenerationOptions.MaxDurationSeconds"/>, at most what the decoder's positions
/// hold) runs once; a longer one runs window by window, window w starting at frame w·stride and prompted with the last
/// (window − stride) frames of window w − 1, the text and guidance unchanged, until the frames asked for are covered.
/// The windows' new frames, in order, are the piece (with the audio prompt, if any, in front).
/// Whatever cannot fit is refused here, with the numbers and the option that changes them.
/// </summary>
public sealed record WindowPlan
{
    /// <summary>Frames of the whole piece, the audio prompt included.</summary>
    public required int TotalFrames { get; init; }
    /// <summary>Longest window in frames.</summary>
    public required int WindowFrames { get; init; }
    /// <summary>Frames a window advances over the previous one (only used with several windows).</summary>
    public required int StrideFrames { get; init; }
    /// <summary>Most frames one window can hold: decoder.max_position_embeddings + 1 − Kc.</summary>
    public required int FrameCapacity { get; init; }
    /// <summary>The windows in order; the first starts at frame 0.</summary>
    public required IReadOnlyList<GenerationWindow> Windows { get; init; }
    /// <summary>Code frames per second.</summary>
    public required double FrameRate { get; init; }

    /// <summary>Decoder steps of every window together.</summary>
    public int TotalSteps => Windows.Sum(w => w.Steps);
    /// <summary>True when the piece needs more than one window.</summary>
    public bool IsLongForm => Windows.Count > 1;

    /// <summary>Most frames a decoder with <paramref name="maxPositions"/> positions generates in one go: the last
    /// forward reads position L − 2 of a delayed sequence of L = frames + Kc columns.</summary>
    public static int Capacity(int maxPositions, int codebooksPerChannel) => maxPositions + 1 - codebooksPerChannel;

    /// <summary>Resolves the windows of a generation.</summary>
    /// <param name="options">length (duration or max-new-tokens), window and stride</param>
    /// <param name="promptFrames">frames of the audio prompt (0 for text-to-music)</param>
    /// <param name="codebooksPerChannel">Kc</param>
    /// <param name="frameRate">codec frames per second</param>
    /// <param name="maxPositions">decoder.max_position_embeddings</param>
    /// <exception cref="SmitinException">the length, the audio prompt, the window or the stride cannot fit; the
    /// message gives frames asked, frames that fit and the option that changes it</exception>
    public static WindowPlan Resolve(GenerationOptions options, int promptFrames, int codebooksPerChannel, double frameRate, int maxPositions)
    {
        options.Validate();
        int capacity = Capacity(maxPositions, codebooksPerChannel);
        string Sec(int frames) => (frames / frameRate).ToString("0.##", CultureInfo.InvariantCulture);
        // the single-window rules (and messages) of GenerationOptions.ResolveSteps, with what extends added
        void Context(string extend)
        {
            try { options.ResolveSteps(promptFrames, codebooksPerChannel, frameRate, maxPositions); }
            catch (SmitinException e) { throw new SmitinException($"{e.Message}; {extend}", e); }
        }
        string fits = $"one window of this model holds {capacity} frames ({Sec(capacity)} s: decoder.max_position_embeddings {maxPositions} + 1 - {codebooksPerChannel} codebooks per channel)";

        int window;
        if (options.MaxDurationSeconds is double maxDuration)
        {
            double asked = Math.Round(maxDuration * frameRate);
            if (asked > capacity)
                throw new SmitinException($"max-duration {maxDuration:0.###} s asks for windows of {asked:0} frames, but {fits}; give max-duration <= {Sec(capacity)}");
            window = (int)asked;
            if (window < 1)
                throw new SmitinException($"max-duration {maxDuration:0.###} s is less than one frame at {frameRate:0.##} Hz");
        }
        else window = Math.Min(capacity, (int)Math.Round(GenerationOptions.DefaultMaxDurationSeconds * frameRate));

        if (promptFrames >= window)
            Context("the audio prompt must leave room in the first window");
        if (promptFrames >= window)
            throw new SmitinException($"the audio prompt has {promptFrames} frames ({Sec(promptFrames)} s) but a window holds {window} frames ({Sec(window)} s): " +
                "nothing would be left to generate in the first window; use a shorter audio prompt" + (window < capacity ? $" or a longer max-duration (up to {Sec(capacity)} s)" : ""));

        if (options.MaxNewTokens is int tokens)
        {
            int asked = (int)Math.Min(int.MaxValue, (long)promptFrames + tokens + 1 - codebooksPerChannel); // frames of the result
            Context($"max-new-tokens {tokens} with {promptFrames} prompt frames asks for {asked} frames ({Sec(asked)} s), but {fits}; " +
                "give a duration instead (duration, generated window by window past one window; see max-duration and extend-stride)");
            return new WindowPlan
            {
                TotalFrames = asked, WindowFrames = window, StrideFrames = 0, FrameCapacity = capacity, FrameRate = frameRate,
                Windows = [new GenerationWindow(0, 0, promptFrames, asked, tokens, 0)],
            };
        }

        double asking = Math.Round((options.DurationSeconds ?? GenerationOptions.DefaultDurationSeconds) * frameRate);
        if (asking > window && asking / frameRate > GenerationOptions.MaxLongFormSeconds)
            Context($"window by window (max-duration, extend-stride) a piece may last up to {GenerationOptions.MaxLongFormSeconds:0} s");
        int steps0 = options.ResolveSteps(promptFrames, codebooksPerChannel, frameRate);  // checks duration > prompt
        int total = promptFrames + steps0 + 1 - codebooksPerChannel;
        if (total <= window)
            return new WindowPlan
            {
                TotalFrames = total, WindowFrames = window, StrideFrames = 0, FrameCapacity = capacity, FrameRate = frameRate,
                Windows = [new GenerationWindow(0, 0, promptFrames, total, steps0, 0)],
            };

        int stride = options.ExtendStrideSeconds is double strideSeconds
            ? (int)Math.Min(int.MaxValue, Math.Round(strideSeconds * frameRate))
            : (int)Math.Round(window * GenerationOptions.DefaultExtendStrideFraction);
        if (stride < 1 || stride >= window)
            throw new SmitinException($"duration {Sec(total)} s ({total} frames) needs several windows of {window} frames ({Sec(window)} s); " +
                $"extend-stride {Sec(stride)} s ({stride} frames) must be at least one frame and less than the window");

        // audiocraft's loop: while offset + prompt < total, a window of min(total - offset, window) frames, then the
        // next prompt is that window without its first `stride` frames
        var windows = new List<GenerationWindow>();
        int offset = 0, prompt = promptFrames, firstStep = 0;
        while (offset + prompt < total)
        {
            int frames = Math.Min(total - offset, window);
            int steps = frames - prompt + codebooksPerChannel - 1;
            windows.Add(new GenerationWindow(windows.Count, offset, prompt, frames, steps, firstStep));
            firstStep += steps;
            prompt = frames - stride;
            offset += stride;
        }
        return new WindowPlan
        {
            TotalFrames = total, WindowFrames = window, StrideFrames = stride, FrameCapacity = capacity, FrameRate = frameRate, Windows = windows,
        };
    }

    /// <summary>One line: frames, windows, stride.</summary>
    public string Describe()
    {
        string Sec(int frames) => (frames / FrameRate).ToString("0.##", CultureInfo.InvariantCulture);
        return IsLongForm
            ? $"{TotalFrames} frames ({Sec(TotalFrames)} s) in {Windows.Count} windows of up to {WindowFrames} frames ({Sec(WindowFrames)} s), stride {StrideFrames} frames ({Sec(StrideFrames)} s), each window prompted with the previous one's last {WindowFrames - StrideFrames} frames"
            : $"{TotalFrames} frames ({Sec(TotalFrames)} s) in one window";
    }
}
