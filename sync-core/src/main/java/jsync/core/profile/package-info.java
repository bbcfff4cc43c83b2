/**
 * Profiles: reads Unison-syntax profile files and command-line settings and turns them into one immutable,
 * validated {@link jsync.core.profile.Profile}, plus the pathspec matchers ({@link jsync.core.profile.PathSpec},
 * {@link jsync.core.profile.IgnoreFilter}) the scanner uses to skip ignored paths.
 *
 * <p>Two steps, kept apart so each can be tested alone: {@link jsync.core.profile.ProfileLoader} turns files
 * into an ordered list of {@link jsync.core.profile.Setting}s (splicing {@code include} and {@code source}),
 * and {@link jsync.core.profile.Profile#from} interprets them. Every error is a
 * {@link jsync.core.profile.ProfileException} naming the file and line of the offending setting.
 *
 * <p>The only I/O is reading profile files through a {@link java.nio.file.Path} handed in by the caller, whose
 * file system may be Jimfs. Nothing here reads environment variables, system properties or the working
 * directory: the caller passes them in a {@link jsync.core.profile.ProfileContext}. See {@code docs/profiles.md}
 * for the user-facing reference and the differences from Unison.
 */
package jsync.core.profile;
