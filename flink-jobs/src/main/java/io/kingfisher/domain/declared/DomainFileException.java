package io.kingfisher.domain.declared;

/** A domain file that cannot be used; the message names the file's key or column at fault. */
public final class DomainFileException extends IllegalArgumentException {
    public DomainFileException(String message) {
        super(message);
    }
}
