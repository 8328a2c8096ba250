using Shake.Core.Cluster;

namespace Shake.Core.Tests.Cluster;

public class ClusterNodesParsingTests
{
    private const string M1 = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";
    private const string M2 = "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1";
    private const string M3 = "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f";
    private const string R1 = "07c37dfeb235213a872192d90877d0cd55635b91";
    private const string R2 = "6ec23923021cf3ffec47632106199cb7f496ce01";
    private const string R3 = "824fe116063bc5fcf9f4ffd895bc17aee7731ac3";

    private static readonly string SixNodes = string.Join("\n",
        $"{R1} 127.0.0.1:30004@31004,replica-4.example slave {M1} 0 1426238317239 4 connected",
        $"{M2} 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922",
        $"{M3} 127.0.0.1:30003@31003 master - 0 1426238318243 3 connected 10923-16383",
        $"{R2} 127.0.0.1:30005@31005 slave {M2} 0 1426238316232 5 connected",
        $"{R3} 127.0.0.1:30006@31006 slave {M3} 0 1426238317741 6 connected",
        $"{M1} 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460",
        "");

    [Fact]
    public void Reads_masters_replicas_and_slots()
    {
        var topology = ClusterTopology.ParseNodes(SixNodes, "127.0.0.1:30001");

        Assert.Equal(6, topology.Nodes.Count);
        Assert.True(topology.CoversAllSlots);
        Assert.Equal(["127.0.0.1:30001", "127.0.0.1:30002", "127.0.0.1:30003"], topology.Masters.Select(m => m.Address));
        Assert.All(topology.Nodes, n => Assert.True(n.Healthy));
        Assert.Equal("127.0.0.1:30001", topology.MasterOf(0));
        Assert.Equal("127.0.0.1:30001", topology.MasterOf(5460));
        Assert.Equal("127.0.0.1:30002", topology.MasterOf(5461));
        Assert.Equal("127.0.0.1:30003", topology.MasterOf(16383));
        var master = topology.OwnerOf(7000)!;
        Assert.Equal(M2, master.Id);
        Assert.Null(master.MasterId);
        var replica = Assert.Single(topology.ReplicasOf(master));
        Assert.Equal(R2, replica.Id);
        Assert.Equal(M2, replica.MasterId);
        Assert.False(replica.IsMaster);
        Assert.Empty(replica.Slots);
        Assert.Equal("127.0.0.1:30004", topology.ReplicasOf(topology.OwnerOf(0)!)[0].Address);
    }

    [Fact]
    public void Single_slots_and_migration_markers()
    {
        var text = string.Join("\n",
            $"{M1} 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-99 100 102-200 [101->-{M2}] [300-<-{M2}]",
            $"{M2} 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 101 201-16383");

        var topology = ClusterTopology.ParseNodes(text, "127.0.0.1:30001");

        var first = topology.Nodes[0];
        Assert.Equal([new SlotRange(0, 99), new SlotRange(100, 100), new SlotRange(102, 200)], first.Slots);
        Assert.Equal(200, first.SlotCount);
        Assert.Equal("127.0.0.1:30002", topology.MasterOf(101));
        Assert.Equal("127.0.0.1:30002", topology.MasterOf(300));
        Assert.Equal("127.0.0.1:30001", topology.MasterOf(100));
        Assert.True(topology.CoversAllSlots);
    }

    [Theory]
    [InlineData("fail")]
    [InlineData("fail?")]
    [InlineData("handshake")]
    [InlineData("noaddr")]
    public void Failure_flags_mark_the_node_unhealthy(string flag)
    {
        var text = string.Join("\n",
            $"{M1} 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-16383",
            $"{M2} 127.0.0.1:30002@31002 master,{flag} - 0 1426238316232 2 connected",
            $"{R1} 127.0.0.1:30004@31004 slave,nofailover {M1} 0 1426238316232 4 connected");

        var topology = ClusterTopology.ParseNodes(text, "127.0.0.1:30001");

        Assert.False(topology.Nodes[1].Healthy);
        Assert.True(topology.Nodes[0].Healthy);
        Assert.True(topology.Nodes[2].Healthy); // nofailover is not a health problem
        Assert.Single(topology.Masters); // a master without slots is not listed
    }

    [Fact]
    public void Disconnected_link_marks_the_node_unhealthy()
    {
        var text = $"{M1} 127.0.0.1:30001@31001 master - 0 0 1 disconnected 0-16383";
        Assert.False(ClusterTopology.ParseNodes(text, "127.0.0.1:30009").Nodes[0].Healthy);
    }

    [Fact]
    public void Failed_over_master_becomes_a_replica_of_its_former_replica()
    {
        var text = string.Join("\n",
            $"{M1} 127.0.0.1:30001@31001 slave,fail {R1} 1426238317239 1426238316232 7 disconnected",
            $"{R1} 127.0.0.1:30004@31004 myself,master - 0 0 7 connected 0-16383");

        var topology = ClusterTopology.ParseNodes(text, "127.0.0.1:30004");

        var owner = topology.OwnerOf(42)!;
        Assert.Equal(R1, owner.Id);
        var old = Assert.Single(topology.ReplicasOf(owner));
        Assert.Equal(M1, old.Id);
        Assert.False(old.Healthy);
    }

    [Fact]
    public void Empty_ip_is_the_connected_host()
    {
        var text = $"{M1} :30001@31001 myself,master - 0 0 0 connected";
        var topology = ClusterTopology.ParseNodes(text, "127.0.0.1:30001");
        Assert.Equal("127.0.0.1:30001", topology.Nodes[0].Address);
        Assert.False(topology.CoversAllSlots);
        Assert.Empty(topology.Masters);
        Assert.Null(topology.MasterOf(0));
        Assert.Null(topology.OwnerOf(16383));
    }

    [Fact]
    public void Noaddr_node_has_no_address_unless_it_is_us()
    {
        var text = string.Join("\n",
            $"{M1} 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-16383",
            $"{M2} :0@0 master,noaddr - 0 1426238316232 2 disconnected");
        var topology = ClusterTopology.ParseNodes(text, "127.0.0.1:30001");
        Assert.Equal("", topology.Nodes[1].Address);
        Assert.False(topology.Nodes[1].Healthy);
    }

    [Fact]
    public void Old_format_without_bus_port_and_ipv6_hosts()
    {
        var text = string.Join("\r\n",
            $"{M1} 127.0.0.1:30001 myself,master - 0 0 1 connected 0-8191",
            $"{M2} ::1:30002@31002 master - 0 0 2 connected 8192-16383");
        var topology = ClusterTopology.ParseNodes(text, "127.0.0.1:30001");
        Assert.Equal("127.0.0.1:30001", topology.MasterOf(0));
        Assert.Equal("[::1]:30002", topology.MasterOf(9000));
    }

    [Theory]
    [InlineData("abc 127.0.0.1:1@2 master - 0 0")]
    [InlineData("abc 127.0.0.1@2 master - 0 0 1 connected")]
    [InlineData("abc 127.0.0.1:x@2 master - 0 0 1 connected")]
    [InlineData("abc 127.0.0.1:1@2 master - 0 0 1 connected 5-x")]
    [InlineData("abc 127.0.0.1:1@2 master - 0 0 1 connected 9-3")]
    public void Malformed_lines_are_named(string line)
    {
        var error = Assert.Throws<FormatException>(() => ClusterTopology.ParseNodes(line, "127.0.0.1:1"));
        Assert.Contains(line, error.Message);
    }

    [Fact]
    public void Slot_out_of_range_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterTopology.ParseNodes($"{M1} 127.0.0.1:1@2 master - 0 0 1 connected 0-16384", "127.0.0.1:1"));
        Assert.Contains("127.0.0.1:1", error.Message);
    }

    [Fact]
    public void Moving_slots_are_read_from_the_answering_nodes_own_line()
    {
        var text = string.Join("\n",
            $"{M2} 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922",
            $"{M1} 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [93->-{M2}] [5000->-{M2}] [77-<-{M3}]",
            "");

        Assert.Equal([77, 93, 5000], ClusterNodesParser.MovingSlots(text).Order());
        Assert.Empty(ClusterNodesParser.MovingSlots(SixNodes));
        // Another node's line never shows them.
        Assert.Empty(ClusterNodesParser.MovingSlots($"{M1} 127.0.0.1:30001@31001 master - 0 0 1 connected 0-5460 [93->-{M2}]"));
    }

    [Fact]
    public void Slot_ranges_without_some_slots_split_around_them()
    {
        SlotRange[] ranges = [new(100, 200), new(0, 10), new(5000, 5000)];

        Assert.Equal([new(0, 4), new(6, 10), new(101, 199)], SlotRange.Without(ranges, new HashSet<int> { 5, 100, 200, 5000, 9000 }));
        Assert.Equal([new(0, 10), new(100, 200), new(5000, 5000)], SlotRange.Without(ranges, new HashSet<int>()));
        Assert.Empty(SlotRange.Without([new(7, 8)], new HashSet<int> { 7, 8 }));
    }
}
