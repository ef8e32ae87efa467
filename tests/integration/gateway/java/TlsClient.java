import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * pgjdbc over TLS: connects with the given URL (its ssl options decide TLS or not), prints
 * "count|n" for the items table, or "error|SQLSTATE message" when the gateway refuses.
 * Arguments: jdbc url, user, password.
 */
public final class TlsClient {
    private TlsClient() {}

    public static void main(String[] args) {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        try (Connection conn = DriverManager.getConnection(args[0], props);
                Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            System.out.println("count|" + rs.getLong(1));
        } catch (SQLException e) {
            System.out.println("error|" + e.getSQLState() + " " + e.getMessage().replace('\n', ' '));
        }
    }
}
