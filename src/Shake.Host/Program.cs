using System.CommandLine;
using Shake.Host.Commands;
using Shake.Host.Running;

SocketCompletions.PreferInline();
// Shake handles SIGINT/SIGTERM itself (a clean stop can take longer than the default grace period).
return await ShakeCommandLine.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
