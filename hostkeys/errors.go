package hostkeys

import "errors"

// Sentinel errors. LoadOrCreate wraps them with the operation and the file
// name, so test them with errors.Is.
var (
	// ErrUnprotected reports a private key file that group or others can
	// access, or that its owner cannot read (OpenSSH: "UNPROTECTED PRIVATE
	// KEY FILE").
	ErrUnprotected = errors.New("unprotected private key file")
	// ErrOwner reports a key file or directory owned by another user.
	ErrOwner = errors.New("owned by another user")
	// ErrSymlink reports a key file that is a symbolic link.
	ErrSymlink = errors.New("key file is a symlink")
	// ErrNotRegular reports a key path that is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrInsecureDir reports a host-key directory writable by group or others.
	ErrInsecureDir = errors.New("directory is writable by group or others")
	// ErrInvalidKey reports a file that does not hold a usable private key.
	ErrInvalidKey = errors.New("not a valid private key")
	// ErrEncrypted reports a passphrase-protected private key.
	ErrEncrypted = errors.New("private key is encrypted")
	// ErrWrongType reports a key of another algorithm than its file name says,
	// or an RSA key shorter than MinRSABits.
	ErrWrongType = errors.New("wrong key type")
	// ErrPublicMismatch reports a .pub file that does not hold the public half
	// of its private key.
	ErrPublicMismatch = errors.New("public key file does not match private key")
)
