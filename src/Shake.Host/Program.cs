using Shake.Host.Commands;

return await ShakeCommandLine.Create().Parse(args).InvokeAsync();
