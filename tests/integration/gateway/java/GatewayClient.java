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
            for (String name : new String[] {"connect", "schemas", "privileges", "describe_database"}) {
                String text = Files.readString(metabase.resolve(name + ".sql"));
                int index = 0;
                for (String sql : text.split(";\\s*\\n")) {
                    if (sql.isBlank()) {
                        continue;
                    }
                    final int n = index++;
                    step("metabase_" + name + "_" + n, () -> {
                        try (Statement st = conn.createStatement()) {
                            if (!st.execute(sql.strip().replaceAll(";$", ""))) {
                                return "ok";
                            }
                            ResultSet rs = st.getResultSet();
                            ResultSetMetaData md = rs.getMetaData();
                            int[] all = new int[md.getColumnCount()];
                            for (int i = 0; i < all.length; i++) {
                                all[i] = i + 1;
                            }
                            return rows(rs, all);
                        }
                    });
                }
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
