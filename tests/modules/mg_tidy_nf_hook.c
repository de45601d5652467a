// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy_nf_hook: tidy fixture. IPv4 and IPv6 hooks (nf_register_net_hooks)
 * in the initial namespace, and one per network namespace through
 * pernet_operations, each unregistered where it was registered.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/net_namespace.h>

static unsigned int mg_tidy_nf_hook_fn(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static const struct nf_hook_ops mg_tidy_nf_ops[] = {
	{ .hook = mg_tidy_nf_hook_fn, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = NF_IP_PRI_FIRST },
	{ .hook = mg_tidy_nf_hook_fn, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = NF_IP6_PRI_FIRST },
};

static int __net_init mg_tidy_nf_net_init(struct net *net)
{
	return nf_register_net_hooks(net, mg_tidy_nf_ops,
				     ARRAY_SIZE(mg_tidy_nf_ops));
}

static void __net_exit mg_tidy_nf_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, mg_tidy_nf_ops, ARRAY_SIZE(mg_tidy_nf_ops));
}

static struct pernet_operations mg_tidy_nf_net_ops = {
	.init = mg_tidy_nf_net_init,
	.exit = mg_tidy_nf_net_exit,
};

static int __init mg_tidy_nf_hook_init(void)
{
	return register_pernet_subsys(&mg_tidy_nf_net_ops);
}

static void __exit mg_tidy_nf_hook_exit(void)
{
	unregister_pernet_subsys(&mg_tidy_nf_net_ops);
}

module_init(mg_tidy_nf_hook_init);
module_exit(mg_tidy_nf_hook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (tidy): netfilter hooks per namespace, unregistered");
