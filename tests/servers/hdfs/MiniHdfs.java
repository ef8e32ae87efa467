// A one-NameNode, one-DataNode HDFS for sqlgate's tests (tests/servers/hdfs.py starts it).
//
// Why a main of our own: MiniDFSCluster takes the whole configuration (Kerberos principals,
// keytabs, 127.0.0.1 bind addresses) from a Hadoop XML file the fixture writes, and this main
// prints one machine-readable ready line, so the fixture knows every port without guessing.
//
// Usage: java -cp <hadoop-client-minicluster + api + runtime> MiniHdfs <base-dir> <site.xml>
// The cluster stops on SIGTERM (a shutdown hook).

import java.io.File;
import java.net.InetSocketAddress;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.security.UserGroupInformation;

public final class MiniHdfs {
    private MiniHdfs() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: MiniHdfs <base-dir> <site.xml>");
            System.exit(2);
        }
        Configuration conf = new Configuration();
        conf.addResource(new Path(new File(args[1]).toURI()));
        UserGroupInformation.setConfiguration(conf);
        int nnPort = conf.getInt("sqlgate.namenode.rpc.port", 0);
        int httpPort = conf.getInt("sqlgate.namenode.http.port", 0);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, new File(args[0]))
                .nameNodePort(nnPort)
                .nameNodeHttpPort(httpPort)
                .numDataNodes(1)
                .checkDataNodeAddrConfig(true)
                .format(true)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::shutdown));
        cluster.waitActive();
        FileSystem fs = cluster.getFileSystem();
        // a world-writable area so test principals can seed data without being superuser
        String lake = conf.get("sqlgate.lake.dir", "/lake");
        fs.mkdirs(new Path(lake));
        fs.setPermission(new Path(lake), new FsPermission((short) 0777));
        DataNode dn = cluster.getDataNodes().get(0);
        InetSocketAddress rpc = cluster.getNameNode().getNameNodeAddress();
        InetSocketAddress http = cluster.getNameNode().getHttpAddress();
        System.out.println("SQLGATE-HDFS-READY rpc=" + rpc.getPort() + " http=" + http.getPort()
                + " dn_http=" + dn.getInfoPort() + " dn_xfer=" + dn.getXferPort());
        System.out.flush();
        // serve until SIGTERM (the fixture's teardown); the shutdown hook stops the cluster
        Thread.currentThread().join();
    }
}
