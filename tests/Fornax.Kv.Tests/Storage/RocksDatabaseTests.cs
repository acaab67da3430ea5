using System.Text;
using Fornax.Kv.Engine.Native;

namespace Fornax.Kv.Tests.Storage;

/// <summary>The [LibraryImport] layer over RocksDB's C API, against the package's real native library.</summary>
public sealed class RocksDatabaseTests : IDisposable
{
    private static readonly RocksDbOptions Options = new(WriteBufferSize: 1UL << 20, MaxTotalWalSize: 4UL << 20, KeepLogFileNum: 2);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteBatch_PutDeleteAndDeleteRange_IteratesWhatRemainsInKeyOrder()
    {
        using (var db = RocksDatabase.Open(_dir.Path, Options))
        using (var batch = new RocksWriteBatch())
        using (var sync = RocksDatabase.NewWriteOptions(sync: true))
        {
            foreach (var key in new[] { "c", "a", "b1", "b2", "b3" })
            {
                batch.Put(B(key), B("v-" + key));
            }

            batch.Put(B("empty"), []);
            db.Write(batch, sync);
            batch.Clear();
            batch.Delete(B("a"));
            batch.DeleteRange(B("b2"), B("b3"));
            batch.Put(B("c"), B("new"));
            db.Write(batch, sync);
            Assert.Equal(["b1=v-b1", "b3=v-b3", "c=new", "empty="], ReadAll(db));
            db.Flush();
        }

        using var readOnly = RocksDatabase.OpenReadOnly(_dir.Path, Options);
        Assert.Equal(["b1=v-b1", "b3=v-b3", "c=new", "empty="], ReadAll(readOnly));
    }

    [Fact]
    public void Open_WhereAFileIs_ThrowsWithRocksDbsMessage()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_dir.Path)!);
        File.WriteAllText(_dir.Path, "not a database");

        var error = Assert.Throws<RocksDbException>(() => RocksDatabase.Open(_dir.Path, Options));

        Assert.Contains(_dir.Path, error.Message, StringComparison.Ordinal);
        Assert.Equal("not a database", File.ReadAllText(_dir.Path));
    }

    [Fact]
    public void OpenReadOnly_WithoutADatabase_ThrowsAndCreatesNoDatabase()
    {
        var error = Assert.Throws<RocksDbException>(() => RocksDatabase.OpenReadOnly(_dir.Path, Options));

        Assert.Contains(_dir.Path, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "CURRENT"))); // RocksDB may make the folder for its info log, no more
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static List<string> ReadAll(RocksDatabase db)
    {
        var records = new List<string>();
        using var iterator = db.NewIterator();
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            records.Add(Encoding.UTF8.GetString(iterator.Key()) + "=" + Encoding.UTF8.GetString(iterator.Value()));
        }

        iterator.ThrowIfFailed();
        return records;
    }
}
