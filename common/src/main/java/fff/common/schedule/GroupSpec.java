package fff.common.schedule;

/**
 * One group of a {@link GroupTree} as declared: its name, its parent (null for a root) and its
 * limit, the number of tokens it hands out to running jobs.
 */
public record GroupSpec(String name, String parent, int limit) {

    public GroupSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("group name must not be blank");
        }
        if (parent != null && parent.isBlank()) {
            throw new IllegalArgumentException("group '" + name + "': parent must not be blank");
        }
        if (name.equals(parent)) {
            throw new IllegalArgumentException("group '" + name + "': is its own parent");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("group '" + name + "': limit " + limit + " must be >= 1");
        }
    }

    /** A group with no parent. */
    public static GroupSpec root(String name, int limit) {
        return new GroupSpec(name, null, limit);
    }
}
