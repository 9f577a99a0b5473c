namespace Brunet.Config;

/// <summary>
/// Config texts built into the library, so a command can run without a file (the README's quick start).
/// </summary>
public static class DefaultConfigs
{
    /// <summary>The file name to pass to <see cref="NodeConfigLoader.Parse"/> with <see cref="BootstrapXml"/>.</summary>
    public const string BootstrapFileName = "bootstrap.config";

    /// <summary>
    /// The text of <c>configs/bootstrap.config</c> (a test keeps the two equal). Parse it with a path in the folder
    /// where <c>bootstrap.key</c> should live, e.g. <c>NodeConfigLoader.Parse(BootstrapXml, Path.Combine(dir, BootstrapFileName))</c>.
    /// </summary>
    public const string BootstrapXml = """
        <?xml version="1.0" encoding="utf-8"?>
        <!--
          A bootstrap node: the first node of the overlay and the one others join through.
          Run it with: bin/run_bootstrap_node configs/bootstrap.config [-n N]
          Schema: NodeConfig.xsd. Unknown elements are ignored with a warning; a bad value stops the node (exit 2).
          Relative paths resolve against this file's folder.
        -->
        <NodeConfig>
          <!-- The overlay's name: nodes link only to nodes with the same BrunetNamespace. -->
          <BrunetNamespace>BrunetDemo</BrunetNamespace>
          <!-- NodeAddress (brunet:node:...) is derived from the key and filled in here on first run. -->
          <!-- Bootstrap addresses to join through; listing our own is harmless (a node never links to itself). -->
          <RemoteTAs>
            <Transport>brunet.udp://127.0.0.1:40000</Transport>
            <Transport>brunet.tcp://127.0.0.1:40000</Transport>
          </RemoteTAs>
          <!-- Where this node accepts edges: port 0 means any free port; an optional <address> child picks the interface. -->
          <EdgeListeners>
            <EdgeListener type="udp"><port>40000</port></EdgeListener>
            <EdgeListener type="tcp"><port>40000</port></EdgeListener>
          </EdgeListeners>
          <!-- The local control endpoint (127.0.0.1) used by crawl, bget and bput; Brunet called it XmlRpcManager. -->
          <ControlEndpoint><Enabled>true</Enabled><Port>10000</Port></ControlEndpoint>
          <!-- The node's key (made with mode 0600 if absent). AuthorityCertificate and Certificate make the overlay private. -->
          <Security><KeyPath>bootstrap.key</KeyPath></Security>
        </NodeConfig>
        """;
}
