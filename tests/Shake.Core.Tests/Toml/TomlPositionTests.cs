using Shake.Core.Toml;

namespace Shake.Core.Tests.Toml;

public class TomlPositionTests
{
    [Fact]
    public void KeysAndValuesRememberLineAndColumn()
    {
        var root = TomlParser.Parse("# head\n[advanced]\n  ncpu = 4\nlog.level = 'info'\n");
        Assert.True(root.TryGetEntry("advanced", out var advanced));
        Assert.Equal(2, advanced.Line);
        var table = (TomlTable)advanced.Value;
        Assert.True(table.TryGetEntry("ncpu", out var ncpu));
        Assert.Equal((3, 3), (ncpu.Line, ncpu.Column));
        Assert.Equal((3, 10), (ncpu.Value.Line, ncpu.Value.Column));
        Assert.Equal(4L, ((TomlValue)ncpu.Value).Value);
        var log = (TomlTable)table["log"]!;
        Assert.True(log.TryGetEntry("level", out var level));
        Assert.Equal((4, 5), (level.Line, level.Column));
    }

    [Theory]
    [InlineData("a = 1\nb = \n", 2, 5)]
    [InlineData("a = 1\na = 2\n", 2, 1)]
    [InlineData("[x]\n[x]\n", 2, 2)]
    [InlineData("v = 1024_000__000\n", 1, 13)]
    [InlineData("s = \"abc\n", 1, 9)]
    [InlineData("t = 1979-13-01\n", 1, 5)]
    public void ErrorsNameLineAndColumn(string text, int line, int column)
    {
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(text));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains($"line {line}, column {column}", error.Message);
    }

    [Fact]
    public void RedisShakeV3NumbersAreRead()
    {
        var root = TomlParser.Parse("version = 6.0\nlimit = 1024_000_000\n");
        Assert.Equal(TomlKind.Float, root["version"]!.Kind);
        Assert.Equal(6.0, ((TomlValue)root["version"]!).Value);
        Assert.Equal(1_024_000_000L, ((TomlValue)root["limit"]!).Value);
    }

    [Fact]
    public void InvalidUtf8IsRejectedWithItsLine()
    {
        byte[] bytes = [(byte)'a', (byte)'=', (byte)'1', (byte)'\n', (byte)'#', 0xC3, 0x28, (byte)'\n'];
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(bytes));
        Assert.Equal(2, error.Line);
    }
}

public class TomlLimitsTests
{
    [Fact]
    public void DeepNestingIsRejectedInsteadOfOverflowingTheStack()
    {
        var deep = "a = " + new string('[', 100_000) + new string(']', 100_000);
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(deep));
        Assert.Contains("nested more than", error.Message);
        var fine = "a = " + new string('[', TomlParser.MaxNestingDepth) + new string(']', TomlParser.MaxNestingDepth);
        Assert.IsType<TomlArray>(TomlParser.Parse(fine)["a"]);
    }
}
