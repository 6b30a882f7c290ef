using System.CommandLine;

namespace Smitin.Cli;

/// <summary>The list of sub-commands. One line per command file.</summary>
static class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return DownloadCommand.Create();
        yield return EncodeCommand.Create();
        yield return DecodeCommand.Create();
        yield return GenerateCommand.Create();
        yield return DatasetCommand.Create();
        yield return ProbeCommand.Create();
        yield return JudgeCommand.Create();
        yield return TrainCommand.Create();
        yield return EvalCommand.Create();
        yield return DemoCommand.Create();
        yield return TraceCommand.Create();
    }
}
