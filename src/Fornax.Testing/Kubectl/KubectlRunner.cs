using System.Diagnostics;

namespace Fornax.Testing.Kubectl;

/// <summary>Debian's kubectl run against a site (or what a <c>--kubeconfig</c> names): never the user's kubeconfig, a fresh discovery cache per instance.</summary>
public sealed class KubectlRunner(string? server) : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("fornax-kubectl-").FullName;

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    public async Task<Result> RunAsync(string stdin, params string[] args)
    {
        using var process = Start(args);
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Starts a long-running kubectl (a watch); <see cref="Streaming.Output"/> grows as it prints.</summary>
    public Streaming Stream(params string[] args) => new(Start(args));

    public sealed class Streaming : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        internal Streaming(Process process)
        {
            _process = process;
            _process.StandardInput.Close();
            _process.OutputDataReceived += (_, e) =>
            {
                lock (_output)
                {
                    _output.Append(e.Data).Append('\n');
                }
            };
            _process.BeginOutputReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Dispose()
        {
            _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    private Process Start(string[] args)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] target = server is null ? [] : ["--server", server];
        foreach (var arg in (string[])[.. target, "--cache-dir", Path.Combine(_home, "cache"), "--request-timeout", "20s", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KUBECONFIG"] = Path.Combine(_home, "none");
        start.Environment["HOME"] = _home;
        return Process.Start(start)!;
    }

    public Task<Result> RunAsync(params string[] args) => RunAsync("", args);

    /// <summary>Runs and asserts success, returning stdout.</summary>
    public async Task<string> OkAsync(params string[] args) => await OkWithInputAsync("", args);

    public async Task<string> OkWithInputAsync(string stdin, params string[] args)
    {
        var result = await RunAsync(stdin, args);
        return result.ExitCode == 0 ? result.Out : throw new InvalidOperationException($"kubectl {string.Join(' ', args)} failed: {result}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
