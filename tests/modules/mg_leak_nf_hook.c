// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_nf_hook: BUGGY fixture. Registers an IPv4 LOCAL_OUT netfilter
 * hook in the initial namespace and never unregisters it: after the
 * unload, the next packet this host sends (a UDP datagram to 127.0.0.1
 * will do) calls mg_leak_nf_hook_fn in freed text.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/net_namespace.h>

static unsigned int mg_leak_nf_hook_fn(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static struct nf_hook_ops mg_leak_nf_ops = {
	.hook = mg_leak_nf_hook_fn,
	.pf = NFPROTO_IPV4,
	.hooknum = NF_INET_LOCAL_OUT,
	.priority = NF_IP_PRI_FIRST,
};

static int __init mg_leak_nf_hook_init(void)
{
	return nf_register_net_hook(&init_net, &mg_leak_nf_ops);
}

static void __exit mg_leak_nf_hook_exit(void)
{
	/* BUG: no nf_unregister_net_hook(&init_net, &mg_leak_nf_ops) */
	pr_info("mg_leak_nf_hook: unloaded\n");
}

module_init(mg_leak_nf_hook_init);
module_exit(mg_leak_nf_hook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): netfilter hook left registered at exit");
