package io.trustbit.measure.ima;

import java.util.Optional;

/**
 * The IMA templates this parser reads (kernel Documentation/security/IMA-templates.rst, "Supported
 * Template Fields and Descriptors"): {@code ima-ng} is {@code d-ng|n-ng}, {@code ima-sig} is
 * {@code d-ng|n-ng|sig}. Every other template is refused by name: the legacy {@code ima} template has a
 * different binary layout and template-hash rule and carries SHA-1 only; {@code ima-buf}, {@code ima-modsig},
 * {@code ima-ngv2}, {@code evm-sig} and custom descriptors carry fields this appraisal does not check.
 */
public enum ImaTemplate {
    IMA_NG("ima-ng", 2),
    IMA_SIG("ima-sig", 3);

    private final String templateName;
    private final int fieldCount;

    ImaTemplate(String templateName, int fieldCount) {
        this.templateName = templateName;
        this.fieldCount = fieldCount;
    }

    /** The name as it appears in the measurement list. */
    public String templateName() {
        return templateName;
    }

    /** Number of length-prefixed fields in the template data. */
    public int fieldCount() {
        return fieldCount;
    }

    public static Optional<ImaTemplate> fromName(String name) {
        for (ImaTemplate t : values()) {
            if (t.templateName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
