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
    [InlineData("[x]\n[x]\n", 2, 1)]
    [InlineData("v = 1024_000__000\n", 1, 14)]
    [InlineData("s = \"abc\n", 1, 9)]
    [InlineData("t = 1979-13-01\n", 1, 5)]
    public void ErrorsNameLineAndColumn(string text, int line, int column)
    {
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(text));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains($"line {line}, column {column}", error.Message);
    }

    [Fact]
    public void EveryIndependentErrorIsReportedAtOnce()
    {
        var text = "[advanced]\nncpu = 4\nlog_level = info\ndir = \"data\"\nrdb_restore_command_behavior = panic\n";
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(text));
        Assert.Equal([(3, 13), (5, 32)], error.Errors.Select(e => (e.Line, e.Column)));
        Assert.Contains("line 5, column 32", error.Message);
    }

    [Theory]
    [InlineData("a = 'x\nb = 1\nc = 2\n[t]\nd = 1\n", 1, 7)]
    [InlineData("[source]\naddress = \"127.0.0.1:6379\npassword = \"\"\n", 2, 26)]
    [InlineData("[source\naddress = \"x\"\n[target]\naddress = \"y\"\n", 1, 8)]
    [InlineData("a = [1, 2\nb = 3\n", 2, 1)]
    [InlineData("[source]\naddress = 127.0.0.1:6379\n", 2, 16)]
    public void FollowOnErrorsOfOneMistakeAreLeftOut(string text, int line, int column)
    {
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(text));
        Assert.Equal([(line, column)], error.Errors.Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public void Toml11AdditionsAreRead()
    {
        var root = TomlParser.Parse("t = { a = 1,\n  b = 2, }\ne = \"\\e\\x41\"\nm = 07:32\n");
        Assert.Equal(2, ((TomlTable)root["t"]!).Count);
        Assert.Equal("\u001bA", ((TomlValue)root["e"]!).Value);
        Assert.Equal(new TimeOnly(7, 32), ((TomlValue)root["m"]!).Value);
    }

    [Fact]
    public void FractionalSecondsBeyondTicksAreRejectedByTomlyn()
    {
        // TOML asks to truncate precision an implementation cannot hold; Tomlyn 2.10 rejects more than 7 digits instead.
        Assert.Equal(new TimeOnly(7, 32, 0).Add(TimeSpan.FromTicks(1234567)), ((TomlValue)TomlParser.Parse("t = 07:32:00.1234567")["t"]!).Value);
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse("t = 07:32:00.123456789"));
        Assert.Equal((1, 5), (error.Line, error.Column));
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
        Assert.Equal((1, 5 + TomlParser.MaxNestingDepth), (error.Line, error.Column));
        var fine = "a = " + new string('[', TomlParser.MaxNestingDepth) + new string(']', TomlParser.MaxNestingDepth);
        Assert.IsType<TomlArray>(TomlParser.Parse(fine)["a"]);
    }

    [Fact]
    public void DeepInlineTablesAreRejectedWithTheirPosition()
    {
        var deep = "x = 1\na = " + string.Concat(Enumerable.Repeat("{b=", 1_000)) + "1" + new string('}', 1_000);
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(deep));
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void BracketsInStringsAndCommentsDoNotCountAsNesting()
    {
        var brackets = new string('[', 500);
        var root = TomlParser.Parse($"a = \"{brackets}\" # {brackets}\nb = '{brackets}'\nc = \"\"\"\n{brackets}\\\"\"\"\"\nd = [[1]]\n");
        Assert.Equal(brackets, ((TomlValue)root["a"]!).Value);
        Assert.Equal(brackets + "\"", ((TomlValue)root["c"]!).Value);
    }
}
