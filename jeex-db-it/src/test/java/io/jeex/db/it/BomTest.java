package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM's third-party versions are the ones jeex-db is built and tested with: each property of
 * {@code jeex-db-bom/pom.xml} equals the parent POM's property of the same name, so a service that
 * imports the BOM resolves exactly what our build resolves.
 */
class BomTest {

    private static Map<String, String> properties(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = factory.newDocumentBuilder().parse(pom.toFile());
        Map<String, String> values = new LinkedHashMap<>();
        NodeList properties = ((Element) doc.getDocumentElement().getElementsByTagName("properties").item(0))
                .getChildNodes();
        for (int i = 0; i < properties.getLength(); i++) {
            Node n = properties.item(i);
            if (n instanceof Element e) {
                values.put(e.getTagName(), e.getTextContent().trim());
            }
        }
        return values;
    }

    @Test
    void everyThirdPartyVersionOfTheBomIsTheBuildsOwn() throws Exception {
        Path root = DockerFiles.dir().getParent();
        Map<String, String> parent = properties(root.resolve("pom.xml"));
        Map<String, String> bom = properties(root.resolve("jeex-db-bom/pom.xml"));
        Map<String, String> versions = new LinkedHashMap<>(bom);
        versions.keySet().removeIf(k -> !k.endsWith(".version"));

        assertThat(versions).as("the BOM pins third-party versions").containsKeys("jooq.version", "postgresql.version",
                "flyway.version", "hikaricp.version", "resilience4j.version", "micrometer.version");
        for (Map.Entry<String, String> v : versions.entrySet()) {
            assertThat(v.getValue()).as("jeex-db-bom's %s is the parent POM's", v.getKey())
                    .isEqualTo(parent.get(v.getKey()));
        }
    }
}
