using System.Text;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Tests.Resp;

public sealed class RespReplyWriterTests
{
    [Theory]
    [InlineData(2, "$-1\r\n*-1\r\n*4\r\n*2\r\n:1\r\n$3\r\n1.5\r\n")]
    [InlineData(3, "_\r\n_\r\n%2\r\n~2\r\n#t\r\n,1.5\r\n")]
    public void Shapes_FollowTheProtocolVersion(int protocol, string expected)
    {
        var writer = new RespReplyWriter { Protocol = protocol };

        writer.Null();
        writer.NullArray();
        writer.Map(2);
        writer.Set(2);
        writer.Boolean(true);
        writer.Double(1.5);

        Assert.Equal(expected, Encoding.ASCII.GetString(writer.Written));
    }

    [Fact]
    public void Error_NeverBreaksTheLine_AndRewindDropsAHalfWrittenReply()
    {
        var writer = new RespReplyWriter();
        writer.Ok();
        var mark = writer.Mark;
        writer.Array(3);
        writer.Bulk("x"u8);
        writer.Rewind(mark);

        writer.Error("ERR bad\r\ninjected");

        Assert.Equal("+OK\r\n-ERR bad  injected\r\n", Encoding.ASCII.GetString(writer.Written));
    }
}
