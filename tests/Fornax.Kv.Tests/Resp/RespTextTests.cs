using System.Globalization;
using System.Text;
using CsCheck;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Tests.Resp;

public sealed class RespTextTests
{
    [Fact]
    public void Int64_RoundTripsEveryValue() =>
        Gen.Long.Sample(v =>
        {
            Assert.True(RespText.TryParseInt64(Encoding.ASCII.GetBytes(v.ToString(CultureInfo.InvariantCulture)), out var parsed));
            Assert.Equal(v, parsed);
        });

    [Theory]
    [InlineData("")]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData("-0")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("99999999999999999999")]
    [InlineData("1.0")]
    public void Int64_RefusesWhatRedisRefuses(string text) => Assert.False(RespText.TryParseInt64(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData(10.5, "10.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(3.0e3, "3000")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(-2.5, "-2.5")]
    public void Double_PrintsAsRedisIncrByFloat(double value, string expected) => Assert.Equal(expected, RespText.FormatDouble(value));

    [Theory]
    [InlineData("nan")]
    [InlineData(" 1")]
    [InlineData("1x")]
    [InlineData("")]
    public void Double_RefusesNaNAndJunk(string text) => Assert.False(RespText.TryParseDouble(Encoding.ASCII.GetBytes(text), out _));
}
