import java.io.File;
import java.util.Collections;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.FunctionalSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.ManchesterSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.OWLXMLDocumentFormat;
import org.semanticweb.owlapi.formats.PrefixDocumentFormat;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLEntity;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

/**
 * Load and save ontologies the way Protégé does, and check the OWL 2 DL profile.
 *
 * <pre>
 *   convert IN OUT FORMAT   FORMAT: rdfxml | owlxml | turtle | functional | manchester
 *   profile IN              one line per OWL2DLProfile violation:
 *                           kind TAB entity-IRI-or-empty TAB message
 * </pre>
 *
 * Imports are never fetched: every import IRI maps to a file that does not exist and a
 * missing import is ignored, so the tool only ever reads the file it is given.
 * Exit status: 0 done, 2 usage or load error (the message is on stderr).
 */
public final class GraspOwlApi {

    public static void main(String[] args) {
        try {
            if (args.length == 4 && args[0].equals("convert")) {
                convert(new File(args[1]), new File(args[2]), args[3]);
            } else if (args.length == 2 && args[0].equals("profile")) {
                profile(new File(args[1]));
            } else {
                System.err.println("usage: convert IN OUT FORMAT | profile IN");
                System.exit(2);
            }
        } catch (Exception e) {
            System.err.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(2);
        }
    }

    private static OWLOntologyManager offlineManager() {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        // Send every import to a file that cannot exist: nothing is fetched from the network.
        File nowhere = new File("/nonexistent/grasp-owlapi-import-blocked");
        manager.getIRIMappers().clear();
        manager.getIRIMappers().add(iri -> IRI.create(nowhere));
        return manager;
    }

    private static OWLOntology load(OWLOntologyManager manager, File in) throws Exception {
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
            .setFollowRedirects(false);
        return manager.loadOntologyFromOntologyDocument(new FileDocumentSource(in), config);
    }

    private static void convert(File in, File out, String format) throws Exception {
        OWLOntologyManager manager = offlineManager();
        OWLOntology ontology = load(manager, in);
        OWLDocumentFormat target = formatNamed(format);
        // Protégé keeps the prefixes of the file it loaded when it saves in another syntax.
        OWLDocumentFormat source = manager.getOntologyFormat(ontology);
        if (source != null && source.isPrefixOWLDocumentFormat()
                && target instanceof PrefixDocumentFormat) {
            ((PrefixDocumentFormat) target).copyPrefixesFrom(source.asPrefixOWLDocumentFormat());
        }
        manager.saveOntology(ontology, target, IRI.create(out.getAbsoluteFile()));
    }

    private static OWLDocumentFormat formatNamed(String name) {
        switch (name) {
            case "rdfxml": return new RDFXMLDocumentFormat();
            case "owlxml": return new OWLXMLDocumentFormat();
            case "turtle": return new TurtleDocumentFormat();
            case "functional": return new FunctionalSyntaxDocumentFormat();
            case "manchester": return new ManchesterSyntaxDocumentFormat();
            default: throw new IllegalArgumentException("unknown format " + name);
        }
    }

    private static void profile(File in) throws Exception {
        OWLOntology ontology = load(offlineManager(), in);
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            Object expression = violation.getExpression();
            String entity = expression instanceof OWLEntity
                ? ((OWLEntity) expression).getIRI().toString()
                : expression instanceof IRI ? expression.toString() : "";
            String message = violation.toString().replace('\t', ' ').replace('\n', ' ');
            System.out.println(
                violation.getClass().getSimpleName() + "\t" + entity + "\t" + message);
        }
    }
}
