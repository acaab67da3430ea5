using System.Text;
using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Tests.Engine;

/// <summary>
/// The key table answers a lookup of the key it found last without the dictionary. These check that the shortcut never
/// answers with a key that was removed, or with another key read from the same buffer (a connection's receive buffer
/// holds a different key at the same place in every command).
/// </summary>
public sealed class KeyTableTests
{
    [Fact]
    public void AKeyRemovedAfterItWasFound_IsNotFound_AndTheStateAddedInItsPlaceIs()
    {
        var table = new KeyTable();
        var first = new KeyState(Encoding.UTF8.GetBytes("cart:1"));
        table.Add(first);
        Assert.Same(first, table.Find("cart:1"u8));

        table.Remove(first);
        Assert.Null(table.Find("cart:1"u8));

        var second = new KeyState(Encoding.UTF8.GetBytes("cart:1"));
        table.Add(second);
        Assert.Same(second, table.Find("cart:1"u8));
    }

    [Fact]
    public void TheSameBuffer_HoldingAnotherKeyOfTheSameLength_FindsThatKey()
    {
        var table = new KeyTable();
        var a = new KeyState(Encoding.UTF8.GetBytes("key:0001"));
        var b = new KeyState(Encoding.UTF8.GetBytes("key:0002"));
        table.Add(a);
        table.Add(b);
        var buffer = new byte[8];

        "key:0001"u8.CopyTo(buffer);
        Assert.Same(a, table.Find(buffer));
        "key:0002"u8.CopyTo(buffer);
        Assert.Same(b, table.Find(buffer));
        "key:0003"u8.CopyTo(buffer);
        Assert.Null(table.Find(buffer));
    }

    [Fact]
    public void RandomAddsRemovesAndFinds_AgreeWithADictionary()
    {
        var random = new Random(12);
        var table = new KeyTable();
        var model = new Dictionary<string, KeyState>();
        var buffer = new byte[5];
        for (var step = 0; step < 20_000; step++)
        {
            var name = $"k:{random.Next(40):D3}"; // few keys, so each is found, removed and added again many times
            Encoding.ASCII.GetBytes(name, buffer);
            switch (random.Next(3))
            {
                case 0 when !model.ContainsKey(name):
                    var added = new KeyState(Encoding.ASCII.GetBytes(name));
                    table.Add(added);
                    model[name] = added;
                    break;
                case 1 when model.Remove(name, out var removed):
                    table.Remove(removed);
                    break;
                default:
                    Assert.Same(model.GetValueOrDefault(name), table.Find(buffer));
                    break;
            }
        }

        Assert.Equal(model.Count, table.Count);
    }
}
