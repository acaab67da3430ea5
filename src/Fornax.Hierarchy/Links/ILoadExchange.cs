using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// What the link carries for the scheduler: after each heartbeat the child sends the load of its subtree's sites, and the
/// parent answers with the load of the sites outside that subtree it knows. So every site hears its siblings', parent's
/// and ancestors' load within a heartbeat or two per level, and never asks on the hot path. The link knows only the
/// messages; the node knows the figures.
/// </summary>
public interface ILoadExchange
{
    /// <summary>For the parent: this site's figures and those of its subtree.</summary>
    LoadFigures ForParent();

    /// <summary>For a child: the figures of sites outside <paramref name="childPath"/>'s subtree, this site's included.</summary>
    LoadFigures ForChild(string childPath);

    /// <summary>From the parent: takes what it says about sites outside this site's subtree.</summary>
    void FromParent(LoadFigures figures);

    /// <summary>From a child: takes what it says about sites of its own subtree (anything else is ignored).</summary>
    void FromChild(string childPath, LoadFigures figures);
}
