using System.Collections.Concurrent;
using System.Threading.Channels;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Store;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Missions;

/// <summary>
/// Command missions' shell commands run here, one at a time, on their own queue: a command (or a reverse command, 60 s
/// by default) that takes minutes holds up neither the watch nor the reconciles of other missions. A mission shows
/// <c>Pending</c> at this site until its command for its current generation has run; then the mission is reconciled
/// again and shows the command's outcome.
/// </summary>
public sealed partial class MissionController
{
    private readonly Channel<Func<CancellationToken, Task>> _commands = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new() { SingleReader = true });

    // Per mission: the generation whose command is queued or running, and the outcome of the last one run.
    private readonly ConcurrentDictionary<ObjectKey, long> _commandsQueued = new();
    private readonly ConcurrentDictionary<ObjectKey, (long Generation, string State)> _commandsDone = new();

    private async Task RunCommandsAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var job in _commands.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await job(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCommandFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Queues the command of <paramref name="key"/>'s <paramref name="generation"/>, unless it is queued already.</summary>
    private void QueueCommand(ObjectKey key, long generation, MissionCommand command)
    {
        if (_commandsQueued.TryGetValue(key, out var queued) && queued == generation)
        {
            return;
        }

        _commandsQueued[key] = generation;
        _commands.Writer.TryWrite(async ct =>
        {
            // A newer generation (or a delete) replaced this one while it waited: its own job runs instead.
            if (!_commandsQueued.TryGetValue(key, out var current) || current != generation)
            {
                return;
            }

            var state = await RunCommandAsync(command, ct);
            _commandsDone[key] = (generation, state);
            _commandsQueued.TryRemove(KeyValuePair.Create(key, generation));
            Enqueue(key);
        });
    }

    private async Task<string> RunCommandAsync(MissionCommand command, CancellationToken ct)
    {
        var timeout = command.TimeoutOrDefault;
        if (command.Trigger is { Length: > 0 } trigger)
        {
            var triggered = await commands.RunAsync(trigger, timeout, options.DataDirectory, ct);
            if (triggered.Succeeded != command.RunIfTriggerSucceeds)
            {
                return MissionStates.Active;
            }
        }

        var result = await commands.RunAsync(command.Command!, timeout, options.DataDirectory, ct);
        return result.Succeeded ? MissionStates.Active : MissionStates.Failed($"command {result.Describe(timeout)}");
    }

    /// <summary>A deleted mission: remove what it delivered, and queue its reverse command.</summary>
    private async Task RetireAsync(StoredObject last, CancellationToken ct)
    {
        _commandsQueued.TryRemove(last.Key, out _);
        _commandsDone.TryRemove(last.Key, out _);
        await RemoveContentAsync(last.Key, keep: new HashSet<ObjectKey>(), ct);
        var mission = ObjectSerializer.FromJson<Mission>(last.Object);
        var wasActive = mission.Status?.State?.GetValueOrDefault(site.Path) == MissionStates.Active;
        if (wasActive && options.AllowCommands && mission.Spec.Command?.ReverseCommand is { Length: > 0 } reverse)
        {
            var timeout = mission.Spec.Command.TimeoutOrDefault;
            _commands.Writer.TryWrite(async token =>
            {
                var result = await commands.RunAsync(reverse, timeout, options.DataDirectory, token);
                LogReverseCommand(last.Key.ToString(), result.Describe(timeout));
            });
        }
    }

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "A mission command could not be run")]
    private partial void LogCommandFailed(Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "The mission controller's watch fell behind ({Reason}); resuming")]
    private partial void LogWatchFellBehind(string reason);
}
