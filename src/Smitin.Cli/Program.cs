using System.CommandLine;
using Smitin.Cli;

// smitin: the command-line front end of the engine. Each sub-command lives in its own file
// (XxxCommand.cs) and exposes a static Create(); register it here.
var root = new RootCommand("Smitin: steer MusicGen with per-head probes (SMITIN / ITI).");
foreach (var command in Commands.All()) root.Subcommands.Add(command);
return await CliRunner.RunAsync(root, args);
