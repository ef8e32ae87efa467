import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * pgjdbc against the sqlgate gateway. Each step prints one line "step|result" that the Python
 * test checks; a failing step prints "step|ERROR sqlstate message" and the program goes on.
 * Arguments: jdbc url, user, password, directory of Metabase's replayed queries, the row count
 * of the big query, the big query (one bigint column n = 0, 1, ...).
 */
public final class GatewayClient {
    private GatewayClient() {}

    private static String rows(ResultSet rs, int... columns) throws SQLException {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
            List<String> cells = new ArrayList<>();
            for (int c : columns) {
                cells.add(String.valueOf(rs.getObject(c)));
            }
            out.add(String.join(",", cells));
        }
        return String.join(";", out);
    }

    private static void step(String name, Step body) {
        try {
            System.out.println(name + "|" + body.run());
        } catch (SQLException e) {
            System.out.println(name + "|ERROR " + e.getSQLState() + " " + e.getMessage().replace('\n', ' '));
        } catch (Exception e) {
            System.out.println(name + "|ERROR " + e);
        }
    }

    private interface Step {
        String run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        Path metabase = Path.of(args[3]);
        long expectedBig = Long.parseLong(args[4]);
        String bigQuery = args[5];
        try (Connection conn = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData meta = conn.getMetaData();
            step("product", () -> meta.getDatabaseProductName() + " " + meta.getDatabaseMajorVersion());
            step("schemas", () -> rows(meta.getSchemas(), 1));
            step("tables", () -> rows(meta.getTables(null, "public", "%", new String[] {"TABLE"}), 2, 3, 4));
            step("columns", () -> rows(meta.getColumns(null, "public", "items", "%"), 4, 6, 17));
            step("primary_keys", () -> rows(meta.getPrimaryKeys(null, "public", "items"), 4));
            // the DatabaseMetaData calls of Metabase's generic sql-jdbc sync (describe_database.clj
            // jdbc-get-tables, with its type list) and the key/index calls a JDBC sync can make
            step("mb_get_tables", () -> rows(meta.getTables(null, "public", "%", new String[] {
                "TABLE", "PARTITIONED TABLE", "VIEW", "FOREIGN TABLE", "MATERIALIZED VIEW",
                "EXTERNAL TABLE", "DYNAMIC_TABLE"}), 2, 3, 4, 5));
            step("mb_imported_keys", () -> rows(meta.getImportedKeys(null, "public", "items"), 3, 4, 7, 8));
            step("mb_index_info", () -> rows(meta.getIndexInfo(null, "public", "items", false, true), 3, 4, 6, 9));
            step("prepared", () -> {
                try (PreparedStatement ps = conn.prepareStatement(
                        "SELECT id, name FROM items WHERE id > ? AND name <> ? ORDER BY id")) {
                    ps.setInt(1, 1);
                    ps.setString(2, "beta");
                    return rows(ps.executeQuery(), 1, 2);
                }
            });
            step("fetch_size", () -> {
                conn.setAutoCommit(false); // pgjdbc fetches by portal with max_rows only in a transaction
                try (Statement st = conn.createStatement()) {
                    st.setFetchSize(1000);
                    long count = 0;
                    long sum = 0;
                    try (ResultSet rs = st.executeQuery(bigQuery)) {
                        while (rs.next()) {
                            count++;
                            sum += rs.getLong(1);
                        }
                    }
                    conn.commit();
                    conn.setAutoCommit(true);
                    return count + "," + (sum == expectedBig * (expectedBig - 1) / 2);
                }
            });
            String sync = Files.readString(metabase.resolve("sync.sql"));
            for (String block : sync.split("(?m)^-- step: ")) {
                if (block.startsWith("--") || block.isBlank()) {
                    continue; // the file's header
                }
                String name = block.substring(0, block.indexOf(' ') < 0 ? block.indexOf('\n')
                        : Math.min(block.indexOf(' '), block.indexOf('\n'))).strip();
                List<String> params = new ArrayList<>();
                StringBuilder sql = new StringBuilder();
                String[] lines = block.split("\n");
                for (int i = 1; i < lines.length; i++) {
                    if (lines[i].startsWith("-- params: ")) {
                        params.addAll(List.of(lines[i].substring(11).split("\\|")));
                    } else {
                        sql.append(lines[i]).append('\n');
                    }
                }
                String text = sql.toString().strip();
                step("metabase_" + name, () -> {
                    // as Metabase does: a PreparedStatement, Strings and Longs bound by setObject
                    try (PreparedStatement ps = conn.prepareStatement(text)) {
                        for (int i = 0; i < params.size(); i++) {
                            String p = params.get(i);
                            Object value = p.endsWith("L") ? (Object) Long.valueOf(p.substring(0, p.length() - 1)) : p;
                            ps.setObject(i + 1, value);
                        }
                        if (!ps.execute()) {
                            return "ok";
                        }
                        ResultSet rs = ps.getResultSet();
                        ResultSetMetaData md = rs.getMetaData();
                        int[] all = new int[md.getColumnCount()];
                        for (int i = 0; i < all.length; i++) {
                            all[i] = i + 1;
                        }
                        return rows(rs, all);
                    }
                });
            }
            step("write", () -> {
                try (Statement st = conn.createStatement()) {
                    st.execute("DELETE FROM items");
                    return "admitted";
                }
            });
        }
    }
}
