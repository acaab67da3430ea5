using Fornax.Emulation;
using Fornax.Node.Hosting;

namespace Fornax.Node.Emulation;

/// <summary>Lets a node cut and heal the emulator in front of its uplink (<c>POST /api/uplink/cut|heal</c>).</summary>
public sealed class EmulatorControl(LinkEmulator emulator) : IUplinkControl, IAsyncDisposable
{
    public void Cut() => emulator.Cut();

    public void Heal() => emulator.Heal();

    public ValueTask DisposeAsync() => emulator.DisposeAsync();
}
