// A real Apache Druid 33 query stack behind Druid's own HTTP resources, for sqlgate's tests
// (tests/servers/druid_real.py starts it).
//
// Why a main of our own: Maven Central has no Druid distribution tarball and no embedded
// cluster for Druid 33 (the single-JVM EmbeddedDruidCluster arrived in 34, which the mirror
// lacks), but it has Druid's jars and test jars. Druid's own SQL test framework
// (SqlTestFramework: the Guice injector, Calcite planner, native query engine and in-memory
// segments Druid's SQL tests run on) is wired here to Druid's real JAX-RS resources --
// SqlResource (POST/DELETE /druid/v2/sql), QueryResource (POST /druid/v2) and StatusResource
// (GET /status) -- in Jersey on Jetty, as a Broker serves them. No ZooKeeper, no metadata store,
// no coordinator: the segments are built in this JVM from the rows below.
//
// Usage: java -cp <druid jars> DruidSqlServer <port> <temp-dir> <rows-in-numbers>
// Prints "DRUID-READY <port> <seconds since start>" once it serves; stops on SIGTERM.

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.jaxrs.json.JacksonJsonProvider;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.inject.Injector;
import com.sun.jersey.guice.spi.container.servlet.GuiceContainer;
import javax.ws.rs.Path;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.servlet.DispatcherType;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import org.apache.druid.server.security.AuthorizerMapper;
import org.apache.druid.client.DruidServerConfig;
import org.apache.druid.data.input.InputRow;
import org.apache.druid.data.input.MapBasedInputRow;
import org.apache.druid.data.input.impl.DimensionSchema;
import org.apache.druid.data.input.impl.DimensionsSpec;
import org.apache.druid.data.input.impl.DoubleDimensionSchema;
import org.apache.druid.data.input.impl.LongDimensionSchema;
import org.apache.druid.data.input.impl.StringDimensionSchema;
import org.apache.druid.guice.ExtensionsConfig;
import org.apache.druid.guice.ExtensionsLoader;
import org.apache.druid.java.util.common.DateTimes;
import org.apache.druid.query.aggregation.AggregatorFactory;
import org.apache.druid.query.aggregation.hyperloglog.HyperUniquesAggregatorFactory;
import org.apache.druid.segment.IndexBuilder;
import org.apache.druid.segment.QueryableIndex;
import org.apache.druid.segment.incremental.IncrementalIndexSchema;
import org.apache.druid.segment.loading.SegmentLoaderConfig;
import org.apache.druid.segment.writeout.OffHeapMemorySegmentWriteOutMediumFactory;
import org.apache.druid.server.DruidNode;
import org.apache.druid.server.QueryResource;
import org.apache.druid.server.QueryStackTests;
import org.apache.druid.server.ResponseContextConfig;
import org.apache.druid.server.SpecificSegmentsQuerySegmentWalker;
import org.apache.druid.server.StatusResource;
import org.apache.druid.server.initialization.ServerConfig;
import org.apache.druid.server.security.AuthConfig;
import org.apache.druid.sql.SqlLifecycleManager;
import org.apache.druid.sql.SqlStatementFactory;
import org.apache.druid.sql.calcite.SqlTestFrameworkConfig;
import org.apache.druid.sql.calcite.TempDirProducer;
import org.apache.druid.sql.calcite.planner.PlannerConfig;
import org.apache.druid.sql.calcite.util.CacheTestHelperModule;
import org.apache.druid.sql.calcite.util.CalciteTests;
import org.apache.druid.sql.calcite.util.SqlTestFramework;
import org.apache.druid.sql.http.SqlResource;
import org.apache.druid.timeline.DataSegment;
import org.apache.druid.timeline.partition.LinearShardSpec;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

public final class DruidSqlServer {
    private DruidSqlServer() {}

    /** What Druid's authenticator chain leaves on a request: here, its test user. */
    static final class TestUser implements Filter {
        @Override
        public void init(FilterConfig config) {}

        @Override
        public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
                throws IOException, ServletException {
            req.setAttribute(AuthConfig.DRUID_AUTHENTICATION_RESULT, CalciteTests.REGULAR_USER_AUTH_RESULT);
            chain.doFilter(req, resp);
        }

        @Override
        public void destroy() {}
    }

    static InputRow row(String time, Map<String, Object> values) {
        return new MapBasedInputRow(DateTimes.of(time), new ArrayList<>(values.keySet()), values);
    }

    static Map<String, Object> values(Object... pairs) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return map;
    }

    /** The "events" datasource: a time column, a multi-value string, numbers, NULLs, Chinese, and a
     * hyperUnique sketch of "user" (a COMPLEX column). */
    static final List<InputRow> EVENTS = ImmutableList.of(
            row("2024-01-01T00:15:00Z", values("channel", "#en", "page", "Main Page", "tags", Arrays.asList("a", "b"),
                    "city", "Paris", "added", 10L, "delta", 1.5, "user", "ann")),
            row("2024-01-01T01:30:00Z", values("channel", "#zh", "page", "北京", "tags", Arrays.asList("b"),
                    "city", null, "added", 20L, "delta", -2.25, "user", "bob")),
            row("2024-01-02T10:00:00Z", values("channel", "#en", "page", "Druid", "tags", null,
                    "city", "Berlin", "added", null, "delta", 0.0, "user", "ann")),
            row("2024-01-08T23:59:59Z", values("channel", "#fr", "page", "Café", "tags", Arrays.asList("a", "c", "d"),
                    "city", "Lyon", "added", 5L, "delta", null, "user", null)),
            row("2024-02-01T12:00:00Z", values("channel", "#zh", "page", "上海", "tags", Arrays.asList("c"),
                    "city", "上海", "added", 7L, "delta", 3.0, "user", "李")));

    static final List<DimensionSchema> EVENT_DIMS = ImmutableList.of(
            new StringDimensionSchema("channel"), new StringDimensionSchema("page"),
            new StringDimensionSchema("tags"), new StringDimensionSchema("city"),
            new LongDimensionSchema("added"), new DoubleDimensionSchema("delta"));

    static List<InputRow> numbers(int count) {
        List<InputRow> rows = new ArrayList<>(count);
        long start = DateTimes.of("2024-01-01T00:00:00Z").getMillis();
        for (int i = 0; i < count; i++) {
            rows.add(row(DateTimes.utc(start + i * 1000L).toString(),
                    values("n", (long) i, "s", "s" + i)));
        }
        return rows;
    }

    static final List<DimensionSchema> NUMBER_DIMS = ImmutableList.of(
            new LongDimensionSchema("n"), new StringDimensionSchema("s"));

    /** Druid's standard test components, with sqlgate's datasources instead of Druid's. */
    static final class Supplier extends SqlTestFramework.StandardComponentSupplier {
        final int numberRows;

        Supplier(TempDirProducer temp, int numberRows) {
            super(temp);
            this.numberRows = numberRows;
        }

        QueryableIndex index(String name, List<DimensionSchema> dims, List<InputRow> rows,
                AggregatorFactory... metrics) {
            return IndexBuilder.create()
                    .tmpDir(tempDirProducer.newTempFolder(name))
                    .segmentWriteOutMediumFactory(OffHeapMemorySegmentWriteOutMediumFactory.instance())
                    .schema(new IncrementalIndexSchema.Builder()
                            .withDimensionsSpec(DimensionsSpec.builder().setDimensions(dims).build())
                            .withMetrics(metrics)
                            .withRollup(false)
                            .build())
                    .rows(rows)
                    .buildMMappedIndex();
        }

        SpecificSegmentsQuerySegmentWalker add(SpecificSegmentsQuerySegmentWalker walker, String name,
                QueryableIndex index) {
            return walker.add(DataSegment.builder()
                    .dataSource(name)
                    .interval(index.getDataInterval())
                    .version("1")
                    .shardSpec(new LinearShardSpec(0))
                    .size(0)
                    .build(), index);
        }

        @Override
        public SpecificSegmentsQuerySegmentWalker addSegmentsToWalker(SpecificSegmentsQuerySegmentWalker walker) {
            add(walker, "events", index("events", EVENT_DIMS, EVENTS,
                    new HyperUniquesAggregatorFactory("uniq_users", "user")));
            return add(walker, "numbers", index("numbers", NUMBER_DIMS, numbers(numberRows)));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DruidSqlServer <port> <temp-dir> <rows-in-numbers>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        System.setProperty("java.io.tmpdir", args[1]);
        long started = System.nanoTime();
        TempDirProducer temp = new TempDirProducer("druid");
        SqlTestFramework framework = new SqlTestFramework.Builder(new Supplier(temp, Integer.parseInt(args[2])))
                // Druid's SQL tests' defaults (no result cache, as a Broker by default) and two merge
                // buffers for GROUP BY (a Broker's default, as druid.processing.numMergeBuffers)
                .withConfig(new SqlTestFrameworkConfig(ImmutableMap.of()))
                .mergeBufferCount(2)
                .withOverrideModule(CacheTestHelperModule.ResultCacheMode.DISABLED.makeModule())
                .build();
        ObjectMapper mapper = framework.queryJsonMapper();
        // Druid's own Jersey wiring (JettyServerModule): GuiceContainer over an injector that
        // binds the resources; Guice builds their resource filters (authorization) as well
        Injector injector = framework.injector().createChildInjector(binder -> {
            binder.bind(QueryResource.class);
            binder.bind(StatusResource.class);
            binder.bind(JacksonJsonProvider.class).toInstance(new JacksonJsonProvider(mapper));
        });
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new TestUser()), "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder jersey = new ServletHolder(new GuiceContainer(injector));
        jersey.setAsyncSupported(true);
        context.addServlet(jersey, "/*");
        server.setHandler(context);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
                framework.close();
            } catch (Exception e) {
                // the JVM is going away
            }
        }));
        System.out.printf("DRUID-READY %d %.1f%n", port, (System.nanoTime() - started) / 1e9);
        System.out.flush();
        server.join();
    }
}
