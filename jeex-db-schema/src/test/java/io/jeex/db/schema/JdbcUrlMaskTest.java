package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one masker of JDBC URLs, by a table: the cases of the two maskers it replaces (the
 * testkit's, which masked {@code password} and {@code sslpassword} parameters, and the access
 * module's, which masked user info too), and the edges of its rule.
 */
class JdbcUrlMaskTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # what                              | url                                                                   | masked
            no secret: unchanged                | jdbc:postgresql://db:5432/jeex                                        | jdbc:postgresql://db:5432/jeex
            other parameters: unchanged         | jdbc:postgresql://db/jeex?user=app&ssl=true&sslmode=require           | jdbc:postgresql://db/jeex?user=app&ssl=true&sslmode=require
            multi-host: unchanged               | jdbc:postgresql://a:5432,b:5433/jeex?targetServerType=primary         | jdbc:postgresql://a:5432,b:5433/jeex?targetServerType=primary
            password only                       | jdbc:postgresql://db/postgres?password=s3cr3t                         | jdbc:postgresql://db/postgres?password=****
            password first                      | jdbc:postgresql://db/jeex?password=s3cr3t&user=app&ssl=false          | jdbc:postgresql://db/jeex?password=****&user=app&ssl=false
            password last (testkit)             | jdbc:postgresql://db/postgres?user=a&password=s3cr3t                  | jdbc:postgresql://db/postgres?user=a&password=****
            password between (access)           | jdbc:postgresql://db/jeex?user=jeex&password=url-s3cr3t&ssl=false     | jdbc:postgresql://db/jeex?user=jeex&password=****&ssl=false
            any case                            | jdbc:postgresql://db/jeex?PassWord=s3cr3t                             | jdbc:postgresql://db/jeex?PassWord=****
            sslpassword                         | jdbc:postgresql://db/jeex?sslmode=verify-full&sslpassword=k3y&ssl=true | jdbc:postgresql://db/jeex?sslmode=verify-full&sslpassword=****&ssl=true
            password and sslpassword            | jdbc:postgresql://db/jeex?password=a&sslpassword=b                    | jdbc:postgresql://db/jeex?password=****&sslpassword=****
            several parameters each masked      | jdbc:postgresql://db/jeex?password=a&x=1&password=b                   | jdbc:postgresql://db/jeex?password=****&x=1&password=****
            URL-encoded value                   | jdbc:postgresql://db/jeex?password=p%26ss%3Dw%23rd&ssl=true           | jdbc:postgresql://db/jeex?password=****&ssl=true
            semicolon and hash in the value     | jdbc:postgresql://db/jeex?password=a;b#c                              | jdbc:postgresql://db/jeex?password=****
            empty value                         | jdbc:postgresql://db/jeex?password=&ssl=true                          | jdbc:postgresql://db/jeex?password=****&ssl=true
            other secret-looking names          | jdbc:postgresql://db/jeex?db.passwd=a&pwd=b&client_secret=c&access_token=d | jdbc:postgresql://db/jeex?db.passwd=****&pwd=****&client_secret=****&access_token=****
            a name that only contains password  | jdbc:postgresql://db/jeex?sslpasswordcallback=com.example.Callback    | jdbc:postgresql://db/jeex?sslpasswordcallback=com.example.Callback
            not a JDBC URL of PostgreSQL        | jdbc:pg://db/jeex?password=url-s3cr3t                                 | jdbc:pg://db/jeex?password=****
            already masked: unchanged           | jdbc:postgresql://a:5432,b:0/jeex?password=****                       | jdbc:postgresql://a:5432,b:0/jeex?password=****
            user info (access)                  | jdbc:postgresql://app:s3cr3t@db:5432/jeex                             | jdbc:postgresql://app:****@db:5432/jeex
            user info with @ and : in it        | jdbc:postgresql://app:p@ss:w@db/jeex?ssl=true                         | jdbc:postgresql://app:****@db/jeex?ssl=true
            user info without a path            | postgresql://app:s3cr3t@db?sslmode=require                            | postgresql://app:****@db?sslmode=require
            user without password: unchanged    | jdbc:postgresql://app@db/jeex                                         | jdbc:postgresql://app@db/jeex
            @ in a parameter: unchanged         | jdbc:postgresql://db:5432/jeex?options=a@b                            | jdbc:postgresql://db:5432/jeex?options=a@b
            user info and parameters            | jdbc:postgresql://app:s3cr3t@db/jeex?sslpassword=k3y                  | jdbc:postgresql://app:****@db/jeex?sslpassword=****
            in a message                        | Connection to jdbc:postgresql://app:s3cr3t@db/jeex refused            | Connection to jdbc:postgresql://app:****@db/jeex refused
            in a message, rest masked to &      | url jdbc:postgresql://db/jeex?password=s3 cr3t was refused            | url jdbc:postgresql://db/jeex?password=****
            """)
    void masksEverySecretAndNothingElse(String what, String url, String masked) {
        assertThat(JdbcUrlMask.mask(url)).isEqualTo(masked);
    }

    @Test
    void nullStaysNull() {
        assertThat(JdbcUrlMask.mask(null)).isNull();
    }

    @Test
    void emptyStaysEmpty() {
        assertThat(JdbcUrlMask.mask("")).isEmpty();
    }

    @Test
    void aMaskedUrlShowsNoneOfItsSecrets() {
        String url = "jdbc:postgresql://owner:0wn3r-pw@db/jeex?user=app&password=url-s3cr3t&sslpassword=k3y-pw";

        assertThat(JdbcUrlMask.mask(url)).doesNotContain("0wn3r-pw", "url-s3cr3t", "k3y-pw")
                .contains("owner", "user=app", JdbcUrlMask.MASK);
    }
}
