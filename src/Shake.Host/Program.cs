using System.CommandLine;
using Shake.Host.Commands;
using Shake.Host.Commands.Rdb;
using Shake.Host.Running;

// Plain `shake rdb ...` lines skip the full command-line parser's start-up (see RdbInvocation). They need no signal
// handling of their own: interrupting a file inspection has nothing to clean up.
if (RdbInvocation.TryParse(args, out var rdb)) return await RdbCommand.RunAsync(rdb!, CancellationToken.None);

SocketCompletions.PreferInline();
// Shake handles SIGINT/SIGTERM itself (a clean stop can take longer than the default grace period).
return await ShakeCommandLine.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
